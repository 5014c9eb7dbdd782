// The event sink: init() installs JS's callback and buffers; a uv_check delivers the turn's batch in one call.
// napi_make_callback with an async context, so microtasks drain after the batch and AsyncLocalStorage works.
#include <napi.h>

#include "exports.h"
#include "loop-state.h"

namespace sluice {

static void throwCoded(Napi::Env env, bool typeError, const char* code, const char* message) {
  Napi::Error e = typeError ? Napi::TypeError::New(env, message) : Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
}

// A pending exception left by the callback would make every later N-API call fail: clear it, raise it as uncaught.
static void raisePendingException(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) return;
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  napi_fatal_exception(env, error);
}

// One JS call for the batch so far.
static void deliver(LoopState* s) {
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, resource, count, result;
  napi_get_reference_value(env, s->onEventsRef, &fn);
  napi_get_reference_value(env, s->resourceRef, &resource);
  napi_create_uint32(env, s->eventCount, &count);
  s->delivering = true;
  napi_status status = napi_make_callback(env, s->asyncContext, resource, fn, 1, &count, &result);
  s->delivering = false;
  // The batch is consumed even if JS threw: the records and recv bytes are stale from here on.
  s->eventCount = 0;
  s->recvUsed = 0;
  if (status != napi_ok) raisePendingException(env);
  napi_close_handle_scope(env, scope);
}

// uv_check runs once per loop turn right after the poll phase: one JS call for every fd that was ready this turn.
// File changes are drained first (they lead the batch); after the call, connections announced this turn that JS kept
// open start polling; one whose poll failed is told at once.
static void onCheck(uv_check_t* handle) {
  LoopState* s = static_cast<LoopState*>(handle->data);
  s->turn++;
  drainInotify(s);  // after every read of the turn, so file changes go ahead of the requests they preceded
  if (s->eventCount > 0) deliver(s);
  if (s->deferredPolls.empty() || !s->initialized) return;
  startDeferredPolls(s);
  if (s->eventCount > 0) deliver(s);
}

/* (onEvents(count), events: Int32Array, recvBuffer: Uint8Array) -> undefined; throws on misuse (cold path) */
Napi::Value InitSink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  if (s->initialized) {
    throwCoded(env, false, "ERR_SLUICE_INIT_TWICE", "init() was already called in this JS environment");
    return env.Undefined();
  }
  bool eventsOk = info[1].IsTypedArray() && info[1].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array;
  bool recvOk = info[2].IsTypedArray() && info[2].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  if (!info[0].IsFunction() || !eventsOk || !recvOk) {
    throwCoded(env, true, "ERR_INVALID_ARG_TYPE", "init(onEvents: Function, events: Int32Array, recvBuffer: Uint8Array)");
    return env.Undefined();
  }
  Napi::Int32Array events = info[1].As<Napi::Int32Array>();
  Napi::Uint8Array recv = info[2].As<Napi::Uint8Array>();
  if (events.ElementLength() < static_cast<size_t>(EVENT_RECORD_INT32) || recv.ByteLength() == 0) {
    throwCoded(env, true, "ERR_OUT_OF_RANGE", "init(): events must hold at least one record and recvBuffer at least one byte");
    return env.Undefined();
  }
  int epollError = openEpollSet(s);
  if (epollError != 0) {
    throwCoded(env, false, "ERR_SLUICE_EPOLL", "init(): could not create the epoll set");
    return env.Undefined();
  }
  // Cache the data pointers once; the references keep both arrays (and so the pointers) alive until teardown.
  s->events = events.Data();
  s->eventCap = static_cast<uint32_t>(events.ElementLength() / EVENT_RECORD_INT32);
  s->recv = recv.Data();
  s->recvCap = recv.ByteLength();
  napi_create_reference(env, info[0], 1, &s->onEventsRef);
  napi_create_reference(env, events, 1, &s->eventsRef);
  napi_create_reference(env, recv, 1, &s->recvRef);
  Napi::Object resource = Napi::Object::New(env);
  napi_create_reference(env, resource, 1, &s->resourceRef);
  napi_async_init(env, resource, Napi::String::New(env, "sluice:native"), &s->asyncContext);
  uv_check_init(s->loop, &s->check);
  s->check.data = s;
  uv_check_start(&s->check, onCheck);
  // Unref'd: the check alone must not keep an idle process alive; listeners and watched fds do.
  uv_unref(reinterpret_cast<uv_handle_t*>(&s->check));
  s->initialized = true;
  return env.Undefined();
}

}  // namespace sluice
