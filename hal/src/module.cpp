// Modules: raw images and bundles (docs/bundle.md). From a bundle the best
// (format, target) group the device takes is chosen; images that list their
// kernels load on the first ahal_kernel_get of one of them, the others at
// ahal_module_create.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

using ull = unsigned long long;

std::string formats_of(uint64_t bits) {
  std::string list;
  for (uint32_t f = 0; f < 64; ++f) {
    if (!(bits & (1ull << f))) continue;
    const char* name = bundle::format_name(f);
    list += list.empty() ? "" : ", ";
    list += name ? name : format("format %u", f);
  }
  return list.empty() ? "none" : list;
}

std::string image_label(const bundle::Image& img) {
  std::string label = bundle::format_name(img.format);
  if (!img.target.empty()) label += "@" + img.target;
  return label;
}

// How well the device takes an image; <= 0 means it cannot.
int32_t score_image(Device* d, const bundle::Image& img) {
  if (!(d->properties.module_formats & (1ull << img.format))) return 0;
  if (d->api->image_score) {
    int32_t score = 0;
    const ahal_status_t s = entry::image_score("ahal_module_create", *d->plugin, d->object,
                                               img.format, img.target.c_str(), &score);
    if (s != AHAL_SUCCESS) {
      log(AHAL_LOG_WARNING, d->plugin->name.c_str(), "image_score failed: %s",
          ahal_last_error_message());
      return 0;
    }
    return score;
  }
  if (img.target.empty()) return 1;
  return img.target == d->properties.arch ? 2 : 0;
}

// Loads one image into the plugin. `infos` is the metadata of the kernels
// it holds, named by their entry symbols (what kernel_get will be asked for).
ahal_status_t load_image(const char* fn, Module* m, ModuleImage* mi, ahal_module_format_t format,
                         const std::string& target, const void* data, uint64_t size,
                         const std::vector<ahal_kernel_info_t>& infos) {
  Device* d = m->device;
  ahal_plugin_module_args_t args = {};
  args.struct_size = sizeof(args);
  args.format = format;
  args.data = data;
  args.data_size = size;
  args.build_options = m->build_options.c_str();
  args.target = target.c_str();
  args.kernel_info_count = static_cast<uint32_t>(infos.size());
  args.kernel_infos = infos.empty() ? nullptr : infos.data();
  ahal_plugin_module_t* object = nullptr;
  ahal_status_t s = entry::module_create(fn, *d->plugin, d->object, &args, &object);
  if (s == AHAL_SUCCESS && !object)
    s = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a module",
             d->plugin->name.c_str());
  mi->tried = true;
  mi->status = s;
  mi->object = object;
  if (s != AHAL_SUCCESS) {
    // Kept without the "<function>: " prefix, to repeat on later calls.
    const char* message = ahal_last_error_message();
    const size_t prefix = std::strlen(fn) + 2;
    mi->error = std::strlen(message) >= prefix ? message + prefix : message;
  }
  return s;
}

std::vector<ahal_kernel_info_t> infos_of(const bundle::Bundle& b, const bundle::Image& img) {
  std::vector<ahal_kernel_info_t> infos;
  auto add = [&](const bundle::Kernel& k, const std::string& symbol) {
    infos.push_back({symbol.c_str(), k.binding_count, k.constants_size, k.flags});
  };
  if (img.entries.empty()) {
    for (const bundle::Kernel& k : b.kernels) add(k, k.name);
  } else {
    for (const bundle::Entry& e : img.entries) add(b.kernels[e.kernel_index], e.symbol);
  }
  return infos;
}

// Reads a module file. Never throws (but std::bad_alloc from the vector):
// a folder, a device node or a FIFO is refused by name, not read forever.
ahal_status_t read_whole_file(const char* fn, const char* path, std::vector<uint8_t>* out) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return fail(error == ENOENT ? AHAL_ERROR_NOT_FOUND : AHAL_ERROR_INVALID_ARGUMENT, fn,
                "cannot open %s: %s", path, std::strerror(error));
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "cannot stat %s: %s", path, std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s is a folder, not a module file", path);
  if (!S_ISREG(st.st_mode))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s is not a regular file", path);
  if (st.st_size == 0) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s is empty", path);
  out->resize(size_t(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    const ssize_t n = read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "cannot read %s: %s", path,
                  std::strerror(errno));
    if (n == 0) break;  // shrank while read: take what is there
    done += size_t(n);
  }
  out->resize(done);
  if (out->empty()) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s is empty", path);
  return AHAL_SUCCESS;
}

ahal_status_t check_kernel_infos(const char* fn, const ahal_module_args_t& a) {
  if (a.kernel_info_count && !a.kernel_infos)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "kernel_infos is NULL with kernel_info_count %u",
                a.kernel_info_count);
  for (uint32_t i = 0; i < a.kernel_info_count; ++i) {
    const ahal_kernel_info_t& k = a.kernel_infos[i];
    if (!k.name || !*k.name)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "kernel_infos[%u].name is empty", i);
    if (k.binding_count > AHAL_MAX_BINDINGS)
      return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "kernel_infos[%u].binding_count %u exceeds %u", i,
                  k.binding_count, AHAL_MAX_BINDINGS);
    if (k.constants_size > AHAL_MAX_CONSTANTS_SIZE)
      return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "kernel_infos[%u].constants_size %u exceeds %u", i,
                  k.constants_size, AHAL_MAX_CONSTANTS_SIZE);
    if (k.flags & ~uint32_t(AHAL_KERNEL_USES_DYNAMIC_SHARED))
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "kernel_infos[%u].flags 0x%x has unknown bits",
                  i, k.flags);
  }
  return AHAL_SUCCESS;
}

// Picks the bundle's best (format, target) group for the device and fills
// m->images with it; loads the images that do not list their kernels.
ahal_status_t create_from_bundle(const char* fn, Module* m) {
  Device* d = m->device;
  const bundle::Bundle& b = m->bundle;
  int32_t best_score = 0;
  const bundle::Image* best = nullptr;
  for (const bundle::Image& img : b.images) {
    bool scored = false;
    for (const bundle::Image& other : b.images) {
      if (&other == &img) break;
      if (other.format == img.format && other.target == img.target) scored = true;
    }
    if (scored) continue;
    const int32_t score = score_image(d, img);
    if (score > best_score) {
      best_score = score;
      best = &img;
    }
  }
  if (!best) {
    std::string have;
    for (const bundle::Image& img : b.images) {
      const std::string label = image_label(img);
      if (have.find(label) == std::string::npos) have += (have.empty() ? "" : ", ") + label;
    }
    return fail(
        AHAL_ERROR_UNSUPPORTED, fn,
        "no image in the bundle fits device %s (arch \"%s\"): the bundle has %s; the device "
        "takes %s",
        d->properties.selector, d->properties.arch, have.empty() ? "no images" : have.c_str(),
        formats_of(d->properties.module_formats).c_str());
  }
  m->format = best->format;
  m->target = best->target;
  for (const bundle::Image& img : b.images)
    if (img.format == best->format && img.target == best->target)
      m->images.emplace_back().image = &img;
  for (ModuleImage& mi : m->images) {
    if (!mi.image->entries.empty()) continue;
    if (ahal_status_t s = load_image(fn, m, &mi, m->format, m->target, mi.image->data.data(),
                                     mi.image->data.size(), infos_of(b, *mi.image)))
      return s;
  }
  return AHAL_SUCCESS;
}

// The image of the module that holds `name`, loaded, and its entry symbol.
ahal_status_t find_loaded_image(const char* fn, Module* m, const std::string& name,
                                ModuleImage** out, std::string* symbol,
                                const bundle::Kernel** meta) {
  const bundle::Bundle& b = m->bundle;
  const int index = bundle::find_kernel(b, name);
  if (!m->from_bundle) {
    *out = &m->images[0];
    *symbol = name;
    *meta = index >= 0 ? &b.kernels[index] : nullptr;
    return AHAL_SUCCESS;
  }
  if (index < 0) {
    std::string names;
    for (const bundle::Kernel& k : b.kernels) names += (names.empty() ? "" : ", ") + k.name;
    return fail(AHAL_ERROR_NOT_FOUND, fn, "kernel \"%s\" is not in the bundle (it has: %s)",
                name.c_str(), names.empty() ? "no kernels" : names.c_str());
  }
  *meta = &b.kernels[index];
  for (ModuleImage& mi : m->images) {
    const bundle::Image& img = *mi.image;
    bool holds = img.entries.empty();
    *symbol = name;
    for (const bundle::Entry& e : img.entries)
      if (e.kernel_index == uint32_t(index)) {
        holds = true;
        *symbol = e.symbol;
      }
    if (!holds) continue;
    if (!mi.tried)
      load_image(fn, m, &mi, m->format, m->target, img.data.data(), img.data.size(),
                 infos_of(b, img));
    if (mi.status != AHAL_SUCCESS)
      return fail(mi.status, fn, "kernel \"%s\": its %s image did not load: %s", name.c_str(),
                  image_label(img).c_str(), mi.error.c_str());
    *out = &mi;
    return AHAL_SUCCESS;
  }
  return fail(AHAL_ERROR_NOT_FOUND, fn, "kernel \"%s\" is in the bundle but in no %s image",
              name.c_str(), image_label(*m->images[0].image).c_str());
}

}  // namespace

void release_module(Module* m) {
  Device* d = m->device;
  handles().remove(m->handle);
  for (auto& [name, k] : m->kernels) release_kernel(k.get());
  m->kernels.clear();
  for (ModuleImage& mi : m->images)
    if (mi.object) entry::module_destroy("ahal_module_destroy", *d->plugin, mi.object);
  delete m;
}

namespace base {

ahal_status_t module_create(const char* fn, Device* d, const ahal_module_args_t* args,
                            ahal_module_t* out_module) {
  if (!args) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "args is NULL");
  if (!out_module) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_module is NULL");
  if (ahal_status_t s = check_struct_size(fn, "ahal_module_args_t", args->struct_size,
                                          AHAL_END_OF(ahal_module_args_t, kernel_infos)))
    return s;
  const ahal_module_args_t& a = *args;
  const uint32_t raw_format = raw_enum(a.format);
  if (raw_format != AHAL_MODULE_FORMAT_BUNDLE && !bundle::is_image_format(raw_format))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "format %u is not a module format", raw_format);
  if (a.data && a.data_size == 0) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "data_size is 0");
  if (!a.data && !a.path)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "data and path are both NULL");
  if (ahal_status_t s = check_kernel_infos(fn, a)) return s;
  if (!d->api->module_create) return not_implemented(fn, *d->plugin, "module_create");
  if (a.format != AHAL_MODULE_FORMAT_BUNDLE && !(d->properties.module_formats & (1ull << a.format)))
    return fail(AHAL_ERROR_UNSUPPORTED, fn, "device %s does not take %s modules (it takes %s)",
                d->properties.selector, ahal_module_format_name(a.format),
                formats_of(d->properties.module_formats).c_str());
  try {
    std::vector<uint8_t> file;
    const void* data = a.data;
    uint64_t size = a.data_size;
    if (!data) {
      if (ahal_status_t s = read_whole_file(fn, a.path, &file)) return s;
      data = file.data();
      size = file.size();
    }
    auto m = std::make_unique<Module>();
    m->device = d;
    m->build_options = a.build_options ? a.build_options : "";
    ahal_status_t s = AHAL_SUCCESS;
    if (a.format == AHAL_MODULE_FORMAT_BUNDLE) {
      std::string error;
      if (!bundle::parse(data, size, &m->bundle, &error))
        return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "bad bundle%s%s: %s", a.data ? "" : " ",
                    a.data ? "" : a.path, error.c_str());
      m->from_bundle = true;
      s = create_from_bundle(fn, m.get());
    } else {
      m->format = a.format;
      std::vector<ahal_kernel_info_t> infos(a.kernel_infos, a.kernel_infos + a.kernel_info_count);
      for (const ahal_kernel_info_t& k : infos)
        m->bundle.kernels.push_back({k.name, k.binding_count, k.constants_size, k.flags});
      m->images.emplace_back();
      s = load_image(fn, m.get(), &m->images[0], a.format, "", data, size, infos);
    }
    if (s == AHAL_SUCCESS) s = register_handle(fn, m.get(), HandleType::kModule);
    if (s == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->modules.insert(m.get());
    }
    if (s != AHAL_SUCCESS) {
      release_module(m.release());
      return s;
    }
    *out_module = to_handle<ahal_module_t>(m->handle);
    m.release();
    return AHAL_SUCCESS;
  } catch (const std::bad_alloc&) {
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  }
}

ahal_status_t module_format(const char* fn, Module* m, ahal_module_format_t* out) {
  if (!out) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out is NULL");
  *out = m->format;
  return AHAL_SUCCESS;
}

ahal_status_t kernel_get(const char* fn, Module* m, const char* name, ahal_kernel_t* out_kernel) {
  if (!name) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "name is NULL");
  if (!out_kernel) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_kernel is NULL");
  try {
    std::lock_guard<std::mutex> lock(m->mutex);
    auto it = m->kernels.find(name);
    if (it == m->kernels.end()) {
      ModuleImage* mi = nullptr;
      std::string symbol;
      const bundle::Kernel* meta = nullptr;
      if (ahal_status_t s = find_loaded_image(fn, m, name, &mi, &symbol, &meta)) return s;
      Device* d = m->device;
      ahal_plugin_kernel_t* object = nullptr;
      if (ahal_status_t s = entry::kernel_get(fn, *d->plugin, mi->object, symbol.c_str(), &object))
        return s;
      if (!object)
        return fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a kernel",
                    d->plugin->name.c_str());
      ahal_kernel_info_t info = {};
      if (meta) info = {name, meta->binding_count, meta->constants_size, meta->flags};
      std::unique_ptr<Kernel> k;
      if (ahal_status_t s = make_kernel(fn, d, m, object, name, meta ? &info : nullptr, &k))
        return s;
      it = m->kernels.emplace(name, std::move(k)).first;
    }
    *out_kernel = to_handle<ahal_kernel_t>(it->second->handle);
    return AHAL_SUCCESS;
  } catch (const std::bad_alloc&) {
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  }
}

const char* module_format_name(const char*, ahal_module_format_t format) {
  const char* name = bundle::format_name(raw_enum(format));
  return name ? name : "unknown";
}

ahal_status_t module_format_parse(const char* fn, const char* name, ahal_module_format_t* out) {
  if (!name) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "name is NULL");
  if (!out) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out is NULL");
  const ahal_module_format_t format = bundle::parse_format(name);
  if (format == AHAL_MODULE_FORMAT_UNKNOWN)
    return fail(AHAL_ERROR_NOT_FOUND, fn, "\"%s\" is not a module format name (%s, bundle)", name,
                formats_of((1ull << (AHAL_MODULE_FORMAT_ZE_NATIVE + 1)) - 2).c_str());
  *out = format;
  return AHAL_SUCCESS;
}

ahal_status_t module_destroy(const char* fn, Module* m) {
  {
    std::lock_guard<std::mutex> lock(m->mutex);
    for (const auto& [name, k] : m->kernels)
      if (const uint32_t refs = k->command_refs.load(std::memory_order_relaxed))
        return fail(AHAL_ERROR_INVALID_STATE, fn,
                    "kernel \"%s\" of the module is used by %u command(s) of command buffers; "
                    "destroy those command buffers first (docs/command-buffers.md)",
                    name.c_str(), refs);
  }
  if (!unregister(to_handle<ahal_module_t>(m->handle)))
    return invalid_handle(fn, to_handle<ahal_module_t>(m->handle), HandleType::kModule);
  {
    std::lock_guard<std::mutex> lock(m->device->mutex);
    m->device->modules.erase(m);
  }
  // Queued launches of its kernels: wait for the streams that have them.
  Stream* users = nullptr;
  {
    std::lock_guard<std::mutex> lock(m->mutex);
    for (const auto& [name, k] : m->kernels) {
      Stream* u = k->users.get();
      if (u && users && u != users) u = StreamUsers::many();
      if (u) users = u;
      if (users == StreamUsers::many()) break;
    }
  }
  wait_for_users(fn, m->device, users);
  release_module(m);
  return AHAL_SUCCESS;
}

}  // namespace base
}  // namespace ahal

#include "generated/module_entries.inc"
