/* Test only: a stand-in for Windows' bcryptprimitives.dll, which wine 8 lacks and Rust's std
 * (1.78 and later) imports for ProcessPrng (HashMap seeds). Never shipped: on Windows 10 and
 * later the real DLL is part of the system. Fills the buffer from RtlGenRandom
 * (advapi32's SystemFunction036), which wine has.
 *   x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
