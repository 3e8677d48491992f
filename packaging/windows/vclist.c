/*
 * vclist.c - softphone-vclist.exe: add or remove one name in Citrix Workspace app's
 * VirtualDriverEx list, run by the MSI as a deferred custom action.
 *
 *     softphone-vclist add SOFTPH      softphone-vclist remove SOFTPH
 *
 * The value (HKLM\SOFTWARE\Citrix\ICA Client\Engine\Configuration\Advanced\Modules\
 * ICA 3.0, VirtualDriverEx) is a comma-separated list shared with other vendors'
 * channels, so only our entry is added or removed; the others keep their order and
 * spelling. Both registry views are edited: the 64-bit Workspace app reads the
 * native one, the 32-bit one WOW6432Node. The same rule as
 * vdi_adapter/citrix_registration.py's add_to_list / remove_from_list.
 *
 * Workspace app loads DriverName from its own folder, so "add" also copies our DLL of
 * the matching width (citrix\x64 or citrix\x86 beside this program) into the folder
 * each installed Workspace app names (HKLM\SOFTWARE\Citrix\Install\ICA Client,
 * InstallFolder, in its registry view), and "remove" deletes it again.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdio.h>
#include <string.h>

#define MODULES_KEY "SOFTWARE\\Citrix\\ICA Client\\Engine\\Configuration\\Advanced\\Modules\\ICA 3.0"
#define VALUE "VirtualDriverEx"
#define MAX_LIST 8192

/* Is `name` one of the list's entries (trimmed, case-insensitive)? */
static int listed(const char *list, const char *name)
{
    size_t length = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        const char *last = end;
        while (last > p && last[-1] == ' ')
            last--;
        if ((size_t)(last - p) == length && _strnicmp(p, name, length) == 0)
            return 1;
        p = end;
    }
    return 0;
}

/* `list` without `name`, other entries as they were. */
static void removed(const char *list, const char *name, char *out, size_t size)
{
    size_t length = strlen(name), at = 0;
    const char *p = list;
    int first = 1;
    out[0] = '\0';
    while (*p) {
        const char *start = p;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        const char *word = start, *last = end;
        while (word < last && *word == ' ')
            word++;
        while (last > word && last[-1] == ' ')
            last--;
        int ours = (size_t)(last - word) == length && _strnicmp(word, name, length) == 0;
        if (!ours && last > word) {
            /* keep the entry with the spacing it had after its comma */
            const char *keep = first ? word : start;
            size_t n = (size_t)(last - keep);
            if (at + n + 2 < size) {
                if (!first)
                    out[at++] = ',';
                memcpy(out + at, keep, n);
                at += n;
                out[at] = '\0';
            }
            first = 0;
        }
        p = *end ? end + 1 : end;
    }
}

static int edit(REGSAM view, const char *action, const char *name)
{
    HKEY key;
    if (RegCreateKeyExA(HKEY_LOCAL_MACHINE, MODULES_KEY, 0, NULL, 0, KEY_READ | KEY_WRITE | view,
                        NULL, &key, NULL) != ERROR_SUCCESS)
        return 0;
    char list[MAX_LIST] = "";
    DWORD size = sizeof list - 1, type = 0;
    if (RegQueryValueExA(key, VALUE, NULL, &type, (BYTE *)list, &size) != ERROR_SUCCESS ||
        type != REG_SZ)
        list[0] = '\0';
    list[sizeof list - 1] = '\0';
    char updated[MAX_LIST + 16];
    if (strcmp(action, "add") == 0) {
        if (listed(list, name)) {
            RegCloseKey(key);
            return 1;
        }
        snprintf(updated, sizeof updated, "%s%s%s", list, list[0] ? "," : "", name);
    } else {
        removed(list, name, updated, sizeof updated);
    }
    LONG rc = RegSetValueExA(key, VALUE, 0, REG_SZ, (const BYTE *)updated,
                             (DWORD)strlen(updated) + 1);
    RegCloseKey(key);
    return rc == ERROR_SUCCESS;
}

/* Copy (add) or delete (remove) our DLL in the Workspace app folder of one view. */
static int place_driver(REGSAM view, const char *arch, int add)
{
    char folder[MAX_PATH] = "";
    DWORD size = sizeof folder;
    if (RegGetValueA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Citrix\\Install\\ICA Client", "InstallFolder",
                     RRF_RT_REG_SZ | (view == KEY_WOW64_64KEY ? RRF_SUBKEY_WOW6464KEY
                                                              : RRF_SUBKEY_WOW6432KEY),
                     NULL, folder, &size) != ERROR_SUCCESS || !folder[0])
        return 1; /* that Workspace app is not installed: nothing to place */
    char target[MAX_PATH + 32];
    size_t n = strlen(folder);
    snprintf(target, sizeof target, "%s%svdsoftph.dll", folder,
             n && folder[n - 1] == '\\' ? "" : "\\");
    if (!add)
        return DeleteFileA(target) || GetLastError() == ERROR_FILE_NOT_FOUND;
    char source[MAX_PATH + 32];
    GetModuleFileNameA(NULL, source, MAX_PATH);
    char *slash = strrchr(source, '\\');
    if (slash)
        slash[1] = '\0';
    strncat(source, "citrix\\", sizeof source - strlen(source) - 1);
    strncat(source, arch, sizeof source - strlen(source) - 1);
    strncat(source, "\\vdsoftph.dll", sizeof source - strlen(source) - 1);
    return CopyFileA(source, target, FALSE);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "remove") != 0)) {
        fprintf(stderr, "usage: softphone-vclist add|remove NAME\n");
        return 2;
    }
    int ok = edit(KEY_WOW64_64KEY, argv[1], argv[2]);
    ok = edit(KEY_WOW64_32KEY, argv[1], argv[2]) && ok;
    int add = strcmp(argv[1], "add") == 0;
    if (!place_driver(KEY_WOW64_64KEY, "x64", add) || !place_driver(KEY_WOW64_32KEY, "x86", add)) {
        fprintf(stderr, "softphone-vclist: cannot %s vdsoftph.dll in Workspace app's folder\n",
                add ? "copy" : "remove");
        return add ? 1 : 0;
    }
    if (!ok) {
        fprintf(stderr, "softphone-vclist: cannot edit HKLM\\%s\\%s\n", MODULES_KEY, VALUE);
        return 1;
    }
    return 0;
}
