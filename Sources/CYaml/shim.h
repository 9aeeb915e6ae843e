// libyaml's C API (Debian libyaml-dev); the settings loader reads its event stream.
#include <yaml.h>
