// The profile one build of the reference plug-in claims (set by CMake).
namespace poolcheck::builtin_plugin {
extern const char* const claimed_profile;
const char* const claimed_profile = POOLCHECK_REFERENCE_PLUGIN_PROFILE;
}  // namespace poolcheck::builtin_plugin
