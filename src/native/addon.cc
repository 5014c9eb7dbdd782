// Placeholder translation unit so the build pipeline can be exercised; replaced by the real bindings.
#include <napi.h>
static Napi::Object Init(Napi::Env env, Napi::Object exports) { return exports; }
NODE_API_MODULE(sluice_native, Init)
