#include "json.hpp"

#include "ahal_tool_support.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace conform {

namespace {

const Json& null_json() {
  static const Json n;
  return n;
}

std::string number_text(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0)
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  else
    std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

class Parser {
 public:
  explicit Parser(const std::string& t) : t_(t) {}

  bool document(Json* out, std::string* error) {
    if (!value(out, 0) || (skip_ws(), pos_ != t_.size())) {
      if (error_.empty()) error_ = "trailing characters";
      *error = error_ + " at byte " + std::to_string(pos_);
      return false;
    }
    return true;
  }

 private:
  void skip_ws() {
    while (pos_ < t_.size() &&
           (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\r' || t_[pos_] == '\t'))
      ++pos_;
  }
  bool bad(const char* what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (t_.compare(pos_, n, word) != 0) return bad("unknown literal");
    pos_ += n;
    return true;
  }

  bool value(Json* out, int depth) {
    if (depth > 64) return bad("nesting too deep");
    skip_ws();
    if (pos_ >= t_.size()) return bad("unexpected end");
    char c = t_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      std::string s;
      if (!string(&s)) return false;
      *out = Json(std::move(s));
      return true;
    }
    if (c == 't') return literal("true") && (*out = Json(true), true);
    if (c == 'f') return literal("false") && (*out = Json(false), true);
    if (c == 'n') return literal("null") && (*out = Json(), true);
    const char* begin = t_.c_str() + pos_;
    char* end = nullptr;
    double d = std::strtod(begin, &end);
    if (end == begin) return bad("expected a value");
    pos_ += static_cast<size_t>(end - begin);
    *out = Json(d);
    return true;
  }

  bool object(Json* out, int depth) {
    ++pos_;
    *out = Json::object();
    skip_ws();
    if (pos_ < t_.size() && t_[pos_] == '}') return ++pos_, true;
    for (;;) {
      skip_ws();
      std::string key;
      if (pos_ >= t_.size() || t_[pos_] != '"' || !string(&key)) return bad("expected a key");
      skip_ws();
      if (pos_ >= t_.size() || t_[pos_++] != ':') return bad("expected ':'");
      Json v;
      if (!value(&v, depth + 1)) return false;
      out->set(key, std::move(v));
      skip_ws();
      if (pos_ >= t_.size()) return bad("unterminated object");
      char c = t_[pos_++];
      if (c == '}') return true;
      if (c != ',') return bad("expected ',' or '}'");
    }
  }

  bool array(Json* out, int depth) {
    ++pos_;
    *out = Json::array();
    skip_ws();
    if (pos_ < t_.size() && t_[pos_] == ']') return ++pos_, true;
    for (;;) {
      Json v;
      if (!value(&v, depth + 1)) return false;
      out->push(std::move(v));
      skip_ws();
      if (pos_ >= t_.size()) return bad("unterminated array");
      char c = t_[pos_++];
      if (c == ']') return true;
      if (c != ',') return bad("expected ',' or ']'");
    }
  }

  static void append_utf8(std::string* s, uint32_t cp) {
    if (cp < 0x80) {
      *s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *s += static_cast<char>(0xc0 | (cp >> 6));
      *s += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *s += static_cast<char>(0xe0 | (cp >> 12));
      *s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *s += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *s += static_cast<char>(0xf0 | (cp >> 18));
      *s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *s += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  bool hex4(uint32_t* v) {
    if (pos_ + 4 > t_.size()) return bad("short \\u escape");
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = t_[pos_++];
      *v <<= 4;
      if (c >= '0' && c <= '9')
        *v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        *v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        *v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return bad("bad \\u escape");
    }
    return true;
  }

  bool string(std::string* s) {
    ++pos_;  // opening quote
    while (pos_ < t_.size()) {
      char c = t_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        *s += c;
        continue;
      }
      if (pos_ >= t_.size()) break;
      char e = t_[pos_++];
      switch (e) {
        case '"':
          *s += '"';
          break;
        case '\\':
          *s += '\\';
          break;
        case '/':
          *s += '/';
          break;
        case 'b':
          *s += '\b';
          break;
        case 'f':
          *s += '\f';
          break;
        case 'n':
          *s += '\n';
          break;
        case 'r':
          *s += '\r';
          break;
        case 't':
          *s += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xd800 && cp < 0xdc00 && t_.compare(pos_, 2, "\\u") == 0) {
            pos_ += 2;
            uint32_t low = 0;
            if (!hex4(&low)) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(s, cp);
          break;
        }
        default:
          return bad("bad escape");
      }
    }
    return bad("unterminated string");
  }

  const std::string& t_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

const std::string& Json::str() const {
  static const std::string empty;
  return type_ == Type::string ? str_ : empty;
}

Json& Json::push(Json v) {
  if (type_ != Type::array) *this = array();
  items_.push_back(std::move(v));
  return items_.back();
}

const Json& Json::operator[](size_t i) const {
  return type_ == Type::array && i < items_.size() ? items_[i] : null_json();
}

Json& Json::set(const std::string& key, Json v) {
  if (type_ != Type::object) *this = object();
  for (auto& m : members_)
    if (m.first == key) return m.second = std::move(v);
  members_.emplace_back(key, std::move(v));
  return members_.back().second;
}

const Json& Json::operator[](const std::string& key) const {
  for (const auto& m : members_)
    if (m.first == key) return m.second;
  return null_json();
}

std::string Json::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

void Json::dump_to(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (type_) {
    case Type::null:
      out += "null";
      break;
    case Type::boolean:
      out += bool_ ? "true" : "false";
      break;
    case Type::number:
      out += number_text(num_);
      break;
    case Type::string:
      out += ahal_tools::json_quote(str_);
      break;
    case Type::array: {
      // Arrays of numbers stay on one line.
      bool flat = true;
      for (const Json& v : items_) flat &= v.type_ == Type::number || v.type_ == Type::array;
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += indent >= 0 && flat ? ", " : ",";
        if (!flat) newline(depth + 1);
        items_[i].dump_to(out, flat ? -1 : indent, depth + 1);
      }
      if (!flat && !items_.empty()) newline(depth);
      out += ']';
      break;
    }
    case Type::object: {
      out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        out += ahal_tools::json_quote(members_[i].first);
        out += indent >= 0 ? ": " : ":";
        members_[i].second.dump_to(out, indent, depth + 1);
      }
      if (!members_.empty()) newline(depth);
      out += '}';
      break;
    }
  }
}

bool Json::parse(const std::string& text, Json* out, std::string* error) {
  return Parser(text).document(out, error);
}

}  // namespace conform
