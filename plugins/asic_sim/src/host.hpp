// How the engines fail: throw Failure(status, message) anywhere inside the
// plugin. It is the SDK's ahal::plugin::Error, so the guard around every
// entry (ahal::plugin::entry, plugin.cpp) turns it into that status and
// message; no exception crosses the ABI.
#pragma once

#include <ahal/plugin_guard.hpp>

namespace asic_sim {

using Failure = ahal::plugin::Error;

}  // namespace asic_sim
