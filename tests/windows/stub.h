/* Test only: the types the stand-in host (host.c) and the stand-in Wireshark DLLs
 * (libwireshark.c) share, as Wireshark 4.0 declares them. */
#ifndef WVCIR_STUB_H
#define WVCIR_STUB_H
#include <stdint.h>

typedef struct {
    void (*register_protoinfo)(void);
    void (*register_handoff)(void);
} proto_plugin;

typedef int (*dissector_t)(void *tvb, void *pinfo, void *tree, void *data);

/* What the host builds a tvb from. */
typedef struct {
    const uint8_t *data;
    unsigned len;
} stub_tvb;

/* tap_plugin: the routine Wireshark calls when it registers tap listeners. */
typedef struct {
    void (*register_tap_listener)(void);
} tap_plugin;

#endif
