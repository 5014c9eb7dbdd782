import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJsonPayload, JSON_PAYLOAD_BYTES, REPO_ROOT } from '../../bench/setup.js';
import { renderNginxConfig, selectTargets, TARGETS } from '../../bench/targets.js';
import { SCENARIOS, selectScenarios } from '../../bench/scenarios.js';

test('buildJsonPayload is valid JSON of exactly the requested size', (t) => {
  const body = buildJsonPayload(JSON_PAYLOAD_BYTES);
  t.is(Buffer.byteLength(body), JSON_PAYLOAD_BYTES);
  const parsed = JSON.parse(body) as { items: unknown[] };
  t.true(parsed.items.length > 500);
});

test('buildJsonPayload is the same on every call (both gzip targets get one payload)', (t) => {
  t.is(buildJsonPayload(4096), buildJsonPayload(4096));
  t.is(Buffer.byteLength(buildJsonPayload(4096)), 4096);
});

test('renderNginxConfig fills every placeholder of the shipped template', (t) => {
  const template = readFileSync(join(REPO_ROOT, 'bench', 'peers', 'nginx.conf'), 'utf8');
  const conf = renderNginxConfig(template, { port: 18123, prefix: '/tmp/p', www: '/tmp/w' });
  t.false(conf.includes('@'));
  t.true(conf.includes('listen 127.0.0.1:18123 backlog=4096;'));
  t.true(conf.includes('root /tmp/w;'));
  t.true(conf.includes('pid /tmp/p/nginx-18123.pid;'));
});

test('every group with a target has a node:http baseline, and static and hello have nginx', (t) => {
  for (const group of ['hello', 'static', 'gzip', 'echo'] as const) {
    t.truthy(TARGETS.find((x) => x.group === group && x.role === 'node'), group);
    t.true(SCENARIOS.some((s) => s.group === group && s.quick), `${group} has a quick scenario`);
  }
  t.truthy(TARGETS.find((x) => x.group === 'static' && x.role === 'nginx'));
  t.truthy(TARGETS.find((x) => x.group === 'hello' && x.role === 'nginx'));
});

test('target and scenario names are unique', (t) => {
  t.is(new Set(TARGETS.map((x) => x.name)).size, TARGETS.length);
  t.is(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
});

test('selectTargets and selectScenarios apply the regex and the quick subset', (t) => {
  t.deepEqual(selectTargets(/^node-/).map((x) => x.name), ['node-hello', 'node-static', 'node-gzip', 'node-echo']);
  t.deepEqual(selectScenarios('hello', /c64/, true).map((s) => s.name), ['hello-ka-c64']);
  t.deepEqual(selectScenarios('hello', /c64/, false).map((s) => s.name), ['hello-ka-c64', 'hello-pipe16-c64', 'hello-close-c64']);
  t.is(selectScenarios('hello', /./, false).length, 6, 'five load shapes and the idle-memory scenario');
});
