/* SPDX-License-Identifier: Apache-2.0 */
/* A library without the ironsight_plugin_init entry point: the loader must refuse it. */
#include "sensor-agent/sdk/ironsight_plugin.h"

IRONSIGHT_PLUGIN_DEFINE_ABI_VERSION()

/* Looks like an entry point, but under the wrong name. */
IRONSIGHT_PLUGIN_EXPORT int32_t ironsight_plugin_start(void);
IRONSIGHT_PLUGIN_EXPORT int32_t ironsight_plugin_start(void) {
    return 0;
}
