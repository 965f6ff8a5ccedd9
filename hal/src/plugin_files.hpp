// Which plugin files the loader agrees to open (docs/reliability.md,
// "Plugin files"): a file, or the folder holding it, that someone other
// than its owner and root can write is refused (anyone who can replace a
// plugin runs code in every application that loads it), and with an
// allowlist (AHAL_PLUGIN_ALLOWLIST=file of SHA-256 digests) only the files
// whose digest it lists are opened.
#pragma once

#include <set>
#include <string>

namespace ahal {

struct PluginFilePolicy {
  bool allow_writable = false;  // AHAL_PLUGIN_ALLOW_WRITABLE=1: development only
  bool use_allowlist = false;
  std::string allowlist_path;
  std::set<std::string> digests;  // lowercase hex
  std::string allowlist_error;    // set: the allowlist is unusable, every plugin is refused
};

// The policy the environment asks for (none of it in secure mode). Read
// even with AHAL_RUNTIME_IGNORE_ENVIRONMENT: the allowlist only narrows
// what loads, and the development switch is the user's own.
PluginFilePolicy plugin_file_policy();

// "" when the file may be opened, else why not. Fills *digest when the
// allowlist is in use.
std::string check_plugin_file(const PluginFilePolicy& policy, const std::string& path,
                              std::string* digest);

// Why a file or folder is writable by someone other than its owner and
// root, or "" when it is not. Mode bits only (as ld.so and the ICD loaders).
std::string writable_by_others(const char* what, const std::string& path, unsigned mode,
                               unsigned gid);

// Reads an allowlist: one 64-digit hex SHA-256 per line, optionally followed
// by white space and a file name (sha256sum's output); blank lines and lines
// starting with '#' are skipped. False with *error naming the line otherwise.
bool parse_allowlist(const std::string& text, std::set<std::string>* digests, std::string* error);

}  // namespace ahal
