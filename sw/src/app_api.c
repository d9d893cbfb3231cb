/* SPDX-License-Identifier: MIT */
/* app_api.c: what the handle offers libraries built on the public API (toe.h: toe_set_error,
 * toe_host_stat_count), such as the HTTP and DNS code of sw/app. */
#include <stdarg.h>
#include <stdio.h>

#include "toe_internal.h"

int toe_set_error(toe_dev *dev, int err, const char *fmt, ...)
{
    char msg[TOE_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return toe_seterr(dev, err, "%s", msg);
}

void toe_host_stat_count(toe_dev *dev, unsigned stat)
{
    if (dev && stat < TOE_HSTAT_COUNT)
        dev->hs[stat]++;
}
