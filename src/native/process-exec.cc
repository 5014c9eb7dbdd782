// execv(2) for the CLI's launcher: Node 20 has no process.execve (Node 23.11 added one), and a V8 heap size such as
// --min-semi-space-size is read only when the isolate is made, so a server that wants one starts itself again in
// place. The pid, the stdio fds and the process's place under its supervisor (systemd, a container's init, taskset's
// CPU mask) stay the same; every other fd Node and the addon opened is close-on-exec.
#include <napi.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "exports.h"

namespace sluice {

/* (path, argv: string[]) -> never returns on success; -errno when execv fails (the caller carries on as it was). */
Napi::Value Execv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsArray()) {
    Napi::TypeError::New(env, "execv(path: string, argv: string[])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::string> args;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsString()) {
      Napi::TypeError::New(env, "execv: every argv entry must be a string").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    args.push_back(v.As<Napi::String>().Utf8Value());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The signal mask survives execve and the new Node must start with none blocked (sigprocmask, not pthread_sigmask:
  // the same call for this one thread, and it keeps the addon's glibc floor at Node 20's own).
  sigset_t none;
  sigemptyset(&none);
  sigset_t before;
  sigprocmask(SIG_SETMASK, &none, &before);
  // Node marks stdin, stdout and stderr close-on-exec at startup; the new Node must write where this one would have.
  int inherit[3];
  for (int fd = 0; fd < 3; fd++) {
    inherit[fd] = fcntl(fd, F_GETFD);
    if (inherit[fd] >= 0) fcntl(fd, F_SETFD, inherit[fd] & ~FD_CLOEXEC);
  }
  execv(path.c_str(), argv.data());
  int err = errno;
  for (int fd = 0; fd < 3; fd++) {
    if (inherit[fd] >= 0) fcntl(fd, F_SETFD, inherit[fd]);
  }
  sigprocmask(SIG_SETMASK, &before, nullptr);
  return Napi::Number::New(env, -err);
}

}  // namespace sluice
