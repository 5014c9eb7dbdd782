// Which HTTPS rows `npm run bench` runs for its --only / --scenario filters.
import test from 'ava';
import { selectHttpsStage } from '../../bench/https-stage.js';

test('the HTTPS stage runs only when a target and a scenario of it are selected', (t) => {
  t.deepEqual(selectHttpsStage(/./, /./), {
    targets: '^(sluice-https|native-tls|nginx-tls|node-https|native-plain|sluice-plain)$',
    scenarios: '^(https-ka-c64|https-new-conn|https-idle|https-file100m)$',
  });
  t.deepEqual(selectHttpsStage(/sluice-https|nginx/, /https-(ka|new)/), { targets: '^(sluice-https|nginx-tls)$', scenarios: '^(https-ka-c64|https-new-conn)$' });
  t.is(selectHttpsStage(/sluice-hello/, /./), null);
  t.is(selectHttpsStage(/./, /hello-ka-c64/), null);
});
