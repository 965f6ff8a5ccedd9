// The C++ RAII wrappers (ahal/ahal.hpp): objects free themselves, moves
// transfer ownership, and failures throw ahal::error with the status.
#include <ahal/ahal.hpp>

#include "test_support.hpp"

TEST_CASE("RAII wrappers run a kernel and throw on errors") {
  const std::string path = test::plugin_dir("good");
  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT;
  o.plugin_path = path.c_str();
  o.plugins = "hostmem_next";
  ahal::Runtime rt(&o);
  REQUIRE(rt.devices().size() == 2);
  REQUIRE(rt.plugins().size() == 1);
  ahal::Device dev = rt.find("hostmem_next:1");
  CHECK(std::string(dev.properties().selector) == "hostmem_next:1");

  ahal::Buffer out(dev, 64 * 4, AHAL_MEMORY_HOST_VISIBLE);
  CHECK(out.size() == 256);
  ahal::Stream stream(dev);
  stream.fill(out, 0, 256, uint32_t(9));

  const std::string program = "kernel index write_index\n";
  ahal_module_args_t ma = {};
  ma.struct_size = sizeof(ma);
  ma.format = AHAL_MODULE_FORMAT_OPENCL_C;
  ma.data = program.data();
  ma.data_size = program.size();
  ahal::Module module(dev, ma);
  CHECK(module.format() == AHAL_MODULE_FORMAT_OPENCL_C);
  ahal::Kernel k = module.kernel("index");
  CHECK(k.attributes().max_workgroup_size == 0);
  const uint32_t base = 1000;
  ahal_binding_t bind = {out.get(), 0, 128};
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 64;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 1;
  l.bindings = &bind;
  l.constants = &base;
  l.constants_size = 4;
  ahal::Event start(dev, AHAL_EVENT_TIMING), end(dev, AHAL_EVENT_TIMING);
  stream.record(start);
  stream.launch(k, l);
  stream.record(end);
  stream.synchronize();
  CHECK(end.query());
  CHECK(stream.query());
  end.elapsed_since(start);
  const auto* words = static_cast<const uint32_t*>(out.map(0, 256));
  CHECK(words[0] == 1000);
  CHECK(words[31] == 1031);
  CHECK(words[32] == 9);  // the binding covered 128 bytes only
  out.unmap();

  ahal::HostAlloc pinned(dev, 256);
  stream.copy_d2h(out, 0, pinned.data(), 256);
  stream.synchronize();
  CHECK(static_cast<const uint32_t*>(pinned.data())[5] == 1005);

  SECTION("failures throw ahal::error") {
    try {
      stream.copy_d2d(out, 0, out, 8, 16);
      FAIL("no exception");
    } catch (const ahal::error& e) {
      CHECK(e.status() == AHAL_ERROR_INVALID_ARGUMENT);
      CHECK(std::string(e.what()).find("ahal_stream_copy_d2d: source") != std::string::npos);
    }
    CHECK_THROWS_AS(rt.find("nope"), ahal::error);
    CHECK_THROWS_AS(module.kernel("missing"), ahal::error);
    CHECK_THROWS_AS(ahal::Kernel::builtin(dev, "hostmem.none"), ahal::error);
    CHECK_THROWS_AS(ahal::Buffer(dev, 0), ahal::error);
  }
  SECTION("moves transfer ownership") {
    ahal::Buffer a(dev, 16);
    const ahal_buffer_t h = a.get();
    ahal::Buffer b(std::move(a));
    CHECK(!a);
    CHECK(b.get() == h);
    ahal::Buffer c;
    c = std::move(b);
    CHECK(c.get() == h);
    c.reset();
    uint64_t size = 0;
    CHECK(ahal_buffer_size(h, &size) == AHAL_ERROR_INVALID_HANDLE);
  }
}
