/* A C program using the wvcir C API as another tool would: dissector-ffi/tests/c_api.rs compiles it
 * against dissector-ffi/include/wvcir.h, links it with libwvcir_dissector.so and checks its output. */
#include <stdio.h>
#include <string.h>
#include "wvcir.h"

static void show(const char *label, const uint8_t *buf, size_t len, int channel) {
    wvcir_message m;
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    int rc = wvcir_decode(buf, len, channel, &m);
    printf("%s rc=%d", label, rc);
    if (rc == WVCIR_DECODED) {
        printf(" command=%d malformed=%d anomalies=0x%x cookie=%.*s@%u+%u", m.command, m.malformed, m.anomalies,
               (int)m.cookie.len, (const char *)buf + m.cookie.offset, m.cookie.offset, m.cookie.len);
        for (int bit = 0; bit < 32; bit++)
            if (m.anomalies & (1u << bit)) printf(" %s", wvcir_anomaly_name(bit));
    }
    printf("\n");
}

int main(void) {
    const char *cir = "WVCI 1.3 wv:nokia.1804289383\r\n";
    show("udp", (const uint8_t *)cir, strlen(cir), WVCIR_CHANNEL_UDP);
    const char *odd = "wvci 1.2  x";
    show("anomalous", (const uint8_t *)odd, strlen(odd), WVCIR_CHANNEL_UDP);
    show("not-cir", (const uint8_t *)"GET / HTTP/1.1", 14, WVCIR_CHANNEL_UDP);
    show("bad-channel", (const uint8_t *)cir, strlen(cir), 42);
    printf("null-out rc=%d\n", wvcir_decode((const uint8_t *)cir, strlen(cir), WVCIR_CHANNEL_UDP, NULL));
    const uint8_t packed[] = {0x57, 0xEB, 0x30, 0x09, 0x8A, 0xB9, 0x64, 0xA0, 0x98, 0x6C, 0x46, 0xAB, 0x01};
    uint8_t text[64];
    size_t n = wvcir_gsm7_unpack(packed, sizeof packed, text, sizeof text);
    wvcir_message m;
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    int rc = wvcir_decode(packed, sizeof packed, WVCIR_CHANNEL_SMS, &m);
    printf("gsm7 rc=%d encoding=%d text=%.*s cookie=%.*s\n", rc, m.encoding, (int)n, (const char *)text,
           (int)m.cookie.len, (const char *)text + m.cookie.offset);
    printf("version=%s\n", wvcir_version());
    return 0;
}
