// Work between two devices (peer.cpp), for the stream calls that take
// another device's objects.
#pragma once

#include "objects.hpp"

namespace ahal {

// AHAL_PEER_* bits between two devices of one runtime: all for one device,
// 0 across plugins or when the plugin has no peer entries.
uint32_t peer_flags(const char* fn, Device* d, Device* peer);
// ahal_stream_wait_event with an event of another device: native where the
// plugin can, else a host callback on the stream waits for the event.
ahal_status_t wait_other_device(const char* fn, Stream* s, Event* e) AHAL_COLD;

}  // namespace ahal
