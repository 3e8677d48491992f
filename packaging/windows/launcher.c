/*
 * launcher.c - softphone.exe / softphone-adapter.exe: run our Python entry module in
 * this process, so the process image is ours.
 *
 * That matters on a Citrix VDA: the Virtual channel allow list policy names the
 * program allowed to open our channel by its path
 * (SOFTPH,C:\Program Files\Softphone\softphone.exe); a python.exe would not match.
 * The launcher finds CPython 3.12 x64 (HKLM\SOFTWARE\Softphone\PythonDir, written by
 * the MSI, else the python.org installer's HKLM\SOFTWARE\Python\PythonCore\3.12\
 * InstallPath), loads its python312.dll, puts our lib\ folder first on the module
 * path and calls Py_Main with "-m ENTRY_MODULE" and the user's arguments. Without
 * Python it says what to install in one line and exits 2.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#ifndef ENTRY_MODULE
#error "build with -DENTRY_MODULE=L\"app_layer.cli\""
#endif

typedef int(__cdecl *PY_MAIN)(int argc, wchar_t **argv);

static int read_folder(HKEY root, const wchar_t *key, const wchar_t *value, wchar_t *out,
                       DWORD size)
{
    DWORD type = 0, bytes = size * sizeof(wchar_t);
    if (RegGetValueW(root, key, value, RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, &type, out,
                     &bytes) != ERROR_SUCCESS)
        return 0;
    return out[0] != L'\0';
}

int wmain(void)
{
    wchar_t python[MAX_PATH] = L"";
    if (!read_folder(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Softphone", L"PythonDir", python, MAX_PATH) &&
        !read_folder(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Python\\PythonCore\\3.12\\InstallPath", NULL,
                     python, MAX_PATH)) {
        fwprintf(stderr, L"softphone: CPython 3.12 (64-bit, python.org installer, for all users)"
                         L" is not installed; install it, then start again\n");
        return 2;
    }
    wchar_t dll[MAX_PATH + 32];
    swprintf(dll, MAX_PATH + 32, L"%ls\\python312.dll", python);
    SetDllDirectoryW(python);
    HMODULE runtime = LoadLibraryW(dll);
    PY_MAIN py_main = runtime ? (PY_MAIN)(void (*)(void))GetProcAddress(runtime, "Py_Main") : NULL;
    if (!py_main) {
        fwprintf(stderr, L"softphone: no usable python312.dll in %ls; reinstall CPython 3.12"
                         L" (64-bit)\n", python);
        return 2;
    }
    wchar_t self[MAX_PATH];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    wchar_t *slash = wcsrchr(self, L'\\');
    if (slash)
        *slash = L'\0';
    wchar_t path[MAX_PATH + 16];
    swprintf(path, MAX_PATH + 16, L"%ls\\lib", self);
    SetEnvironmentVariableW(L"PYTHONPATH", path);
    SetEnvironmentVariableW(L"PYTHONHOME", python);

    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    wchar_t **args = calloc((size_t)argc + 3, sizeof *args);
    if (!argv || !args)
        return 1;
    args[0] = argv[0];
    args[1] = L"-m";
    args[2] = ENTRY_MODULE;
    for (int i = 1; i < argc; i++)
        args[i + 2] = argv[i];
    return py_main(argc + 2, args);
}
