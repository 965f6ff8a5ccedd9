// KernelCache and KernelInfos: a module's kernels by name.
#include <ahal/kernel_cache.hpp>
#include <ahal/plugin_guard.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

struct FakeKernel {
  explicit FakeKernel(std::string n) : name(std::move(n)) {}
  std::string name;
};

}  // namespace

TEST_CASE("the same name gives the same kernel, made once", "[kernel_cache.hpp]") {
  ahal::plugin::KernelCache<FakeKernel> cache;
  int made = 0;
  auto make = [&](const char* name) {
    return [&made, name] {
      ++made;
      return std::make_unique<FakeKernel>(name);
    };
  };
  FakeKernel& a = cache.get("scale", make("scale"));
  FakeKernel& b = cache.get("scale", make("scale"));
  FakeKernel& c = cache.get("add", make("add"));
  CHECK(&a == &b);
  CHECK(&a != &c);
  CHECK(a.name == "scale");
  CHECK(made == 2);
  int seen = 0;
  cache.for_each([&](FakeKernel&) { ++seen; });
  CHECK(seen == 2);
}

TEST_CASE("a kernel that fails to load is not cached", "[kernel_cache.hpp]") {
  ahal::plugin::KernelCache<FakeKernel> cache;
  CHECK_THROWS_AS(cache.get("missing",
                            []() -> std::unique_ptr<FakeKernel> {
                              ahal::plugin::raise(AHAL_ERROR_NOT_FOUND, "no kernel 'missing'");
                            }),
                  ahal::plugin::Error);
  int made = 0;
  cache.get("missing", [&] {
    ++made;
    return std::make_unique<FakeKernel>("missing");
  });
  CHECK(made == 1);
}

TEST_CASE("threads asking for one name at once share one kernel", "[kernel_cache.hpp]") {
  ahal::plugin::KernelCache<FakeKernel> cache;
  std::atomic<int> made{0};
  std::vector<FakeKernel*> got(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      got[t] = &cache.get("k", [&] {
        ++made;
        std::this_thread::yield();
        return std::make_unique<FakeKernel>("k");
      });
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(made == 1);
  for (FakeKernel* k : got) CHECK(k == got[0]);
}

TEST_CASE("KernelInfos keeps its own copy of the loader's metadata", "[kernel_cache.hpp]") {
  std::string scale = "scale", add = "add";
  ahal_kernel_info_t infos[3] = {};
  infos[0].name = scale.c_str();
  infos[0].binding_count = 2;
  infos[0].constants_size = 8;
  infos[0].flags = AHAL_KERNEL_USES_DYNAMIC_SHARED;
  infos[1].name = add.c_str();
  infos[1].binding_count = 3;
  infos[2].name = nullptr;  // skipped
  ahal_plugin_module_args_t args{};
  args.struct_size = sizeof(args);
  args.kernel_info_count = 3;
  args.kernel_infos = infos;
  ahal::plugin::KernelInfos kept(args);
  scale.assign("xxxxx");  // the caller's strings die after module_create
  add.assign("yyy");

  const ahal_kernel_info_t* info = kept.find("scale");
  REQUIRE(info);
  CHECK(std::string(info->name) == "scale");
  CHECK(info->binding_count == 2);
  CHECK(kept.find("mul") == nullptr);
  CHECK(kept.only() == nullptr);  // two kernels: no "only" one

  ahal_kernel_attributes_t a{};
  kept.describe("scale", a);
  CHECK(a.has_metadata == 1);
  CHECK(a.constants_size == 8);
  CHECK(a.flags == AHAL_KERNEL_USES_DYNAMIC_SHARED);
  ahal_kernel_attributes_t none{};
  kept.describe("mul", none);
  CHECK(none.has_metadata == 0);

  args.kernel_info_count = 1;
  ahal::plugin::KernelInfos one(args);
  REQUIRE(one.only());
  CHECK(one.only()->binding_count == 2);

  // An older args struct without kernel_infos has none.
  args.struct_size = offsetof(ahal_plugin_module_args_t, kernel_info_count);
  CHECK(ahal::plugin::KernelInfos(args).find("scale") == nullptr);
}
