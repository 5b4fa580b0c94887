/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin built for a newer ABI than the sensor's: the loader must refuse it before calling
 * its init (which would misread the host's structs). */
#include <stdlib.h>

#include "sensor-agent/sdk/ironsight_plugin.h"

IRONSIGHT_PLUGIN_EXPORT uint32_t ironsight_plugin_abi_version(void) {
    return IRONSIGHT_PLUGIN_ABI_VERSION + 1u;
}

IRONSIGHT_PLUGIN_EXPORT int32_t ironsight_plugin_init(uint32_t host_abi_version,
                                                      const ironsight_host_api* host,
                                                      ironsight_plugin_info* out) {
    (void)host_abi_version;
    (void)host;
    (void)out;
    abort(); /* never called: the version check comes first */
}
