// A small JSON value: built by the reports, parsed back by `compare` and by
// the parent process reading its children's result lines.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace conform {

class Json {
 public:
  enum class Type { null, boolean, number, string, array, object };

  Json() = default;
  Json(bool b) : type_(Type::boolean), bool_(b) {}
  Json(double d) : type_(Type::number), num_(d) {}
  Json(int v) : type_(Type::number), num_(v) {}
  Json(unsigned v) : type_(Type::number), num_(v) {}
  Json(uint64_t v) : type_(Type::number), num_(static_cast<double>(v)) {}
  Json(const char* s) : type_(Type::string), str_(s) {}
  Json(std::string s) : type_(Type::string), str_(std::move(s)) {}

  static Json array() { return Json(Type::array); }
  static Json object() { return Json(Type::object); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }

  // Typed reads with a fallback for a missing or mistyped value.
  double num(double fallback = 0) const { return type_ == Type::number ? num_ : fallback; }
  bool boolean(bool fallback = false) const { return type_ == Type::boolean ? bool_ : fallback; }
  const std::string& str() const;

  // Arrays.
  Json& push(Json v);
  size_t size() const { return type_ == Type::array ? items_.size() : members_.size(); }
  const Json& operator[](size_t i) const;
  const std::vector<Json>& items() const { return items_; }

  // Objects keep insertion order. set() replaces an existing key.
  Json& set(const std::string& key, Json v);
  const Json& operator[](const std::string& key) const;  // null Json if absent
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }

  // indent < 0: one line.
  std::string dump(int indent = -1) const;
  // Returns false and sets *error (with the byte offset) on bad input.
  static bool parse(const std::string& text, Json* out, std::string* error);

 private:
  explicit Json(Type t) : type_(t) {}
  void dump_to(std::string& out, int indent, int depth) const;

  Type type_ = Type::null;
  bool bool_ = false;
  double num_ = 0;
  std::string str_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

}  // namespace conform
