/* Test only: plays Wireshark's plugin loader on Windows (wsutil/plugins.c), under wine, with the
 * stand-in DLLs of libwireshark.c. Loads libwireshark.dll, libwsutil.dll and libglib-2.0-0.dll
 * first (as Wireshark has them loaded), then the plugin; prints plugin_version and the wanted
 * version after loading (the plugin's load-time initializer may have changed it), calls
 * plugin_register and, if the plugin registered itself, register_protoinfo and register_handoff
 * (the stand-ins print what was registered). A second argument:
 *   dissect       then hand the "wvcir.udp" dissector one datagram from port 3717, in a
 *                 packet_info laid out as 4.0's;
 *   without-glib  leave libglib-2.0-0.dll unloaded (it is still next to the plugin): the plugin
 *                 must say which function it lacks, register nothing, and not load GLib itself.
 *   x86_64-w64-mingw32-gcc -o host.exe host.c
 *   wine host.exe wvcir.dll [dissect|without-glib] */
#include <windows.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stub.h"

/* GetProcAddress's FARPROC, as the function type it is (through void (*)(void), the cast C
 * compilers accept between function types). */
#define AS(type, f) ((type)(void (*)(void))(f))

static FARPROC must(HMODULE m, const char *name) {
    FARPROC f = GetProcAddress(m, name);
    if (!f) {
        printf("missing export %s\n", name);
        exit(3);
    }
    return f;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        printf("usage: host PLUGIN.dll [dissect|without-glib]\n");
        return 2;
    }
    const char *deps[] = {"libglib-2.0-0.dll", "libwsutil.dll", "libwireshark.dll"};
    const char *mode = argc > 2 ? argv[2] : "";
    int without_glib = strcmp(mode, "without-glib") == 0;
    HMODULE ws = NULL;
    for (int i = without_glib ? 1 : 0; i < 3; i++) {
        ws = LoadLibraryA(deps[i]);
        if (!ws) {
            printf("cannot load %s: error %lu\n", deps[i], GetLastError());
            return 2;
        }
    }
    HMODULE plugin = LoadLibraryA(argv[1]);
    if (!plugin) {
        printf("cannot load %s: error %lu\n", argv[1], GetLastError());
        return 2;
    }
    printf("plugin_version %s\n", (const char *)must(plugin, "plugin_version"));
    printf("want %d.%d\n", *(int *)must(plugin, "plugin_want_major"), *(int *)must(plugin, "plugin_want_minor"));
    FARPROC describe = GetProcAddress(plugin, "plugin_describe");
    if (describe) printf("describe %u\n", AS(unsigned (*)(void), describe)());
    AS(void (*)(void), must(plugin, "plugin_register"))();
    const proto_plugin *p = AS(const proto_plugin *(*)(void), must(ws, "stub_registered_plugin"))();
    printf("registered %s\n", p ? "yes" : "no");
    printf("glib loaded %s\n", GetModuleHandleA("libglib-2.0-0.dll") ? "yes" : "no");
    if (!p) return 0;
    p->register_protoinfo();
    p->register_handoff();
    printf("handoff done\n");
    /* Then Wireshark registers tap listeners: the plugin's stats tree. */
    const tap_plugin *tp = AS(const tap_plugin *(*)(void), must(ws, "stub_registered_tap_plugin"))();
    if (tp) tp->register_tap_listener();
    printf("tap listeners %s\n", tp ? "registered" : "none");
    if (strcmp(mode, "dissect") == 0) {
        dissector_t udp = AS(dissector_t(*)(const char *), must(ws, "stub_dissector"))("wvcir.udp");
        if (!udp) {
            printf("no wvcir.udp dissector\n");
            return 4;
        }
        static const char payload[] = "WVCI 1.3 wv:nokia.1804289383\r\n";
        stub_tvb tvb = {(const uint8_t *)payload, sizeof payload - 1};
        /* packet_info as Wireshark 4.0 lays it out (abi.rs V4_0): cinfo at 8, num at 20,
         * abs_ts at 24, srcport at 260, destport at 264, pool at 392. */
        static uint8_t pinfo[512];
        static char cinfo[64];
        void *cinfo_ptr = cinfo;
        uint32_t num = 7, srcport = 40000, destport = 3717;
        int64_t secs = 1700000000;
        memcpy(pinfo + 8, &cinfo_ptr, sizeof cinfo_ptr);
        memcpy(pinfo + 20, &num, 4);
        memcpy(pinfo + 24, &secs, 8);
        memcpy(pinfo + 260, &srcport, 4);
        memcpy(pinfo + 264, &destport, 4);
        /* pool at 392: the tally is copied with wmem_memdup, which ignores its scope here. */
        static char pool;
        void *pool_ptr = &pool;
        memcpy(pinfo + 392, &pool_ptr, sizeof pool_ptr);
        static char tree[64];
        int n = udp(&tvb, pinfo, tree, NULL);
        printf("dissected %d of %u\n", n, tvb.len);
    }
    return 0;
}
