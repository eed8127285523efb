// src/rest/list_page.hpp: a LIST page parsed with or without its items' managedFields.
#include <rapidjson/pointer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>
#include <string>

#include "rest/list_page.hpp"

using drsync::detail::parse_list_page;

namespace {

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  v.Accept(w);
  return out.GetString();
}

// What parse_list_page must give: the whole page, then each item's managedFields erased.
std::string expected_without(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  REQUIRE_FALSE(d.HasParseError());
  if (auto* items = rapidjson::Pointer("/items").Get(d); items && items->IsArray()) {
    for (auto& item : items->GetArray()) {
      auto* meta = rapidjson::Pointer("/metadata").Get(item);
      if (meta && meta->IsObject()) meta->RemoveMember("managedFields");
    }
  }
  return compact(d);
}

std::string parsed(const std::string& body, bool without) {
  rapidjson::Document d;
  REQUIRE(parse_list_page(d, body, without));
  return compact(d);
}

const std::string kPage = R"({"kind":"ConfigMapList","apiVersion":"v1",
  "metadata":{"resourceVersion":"42","continue":"abc","managedFields":"list-level, kept"},
  "items":[
    {"metadata":{"name":"a","managedFields":[{"manager":"kubectl","fieldsV1":{"f:data":{"f:x":{}}},
       "nested":[[1,2],{"k":[true,null]}]}],"labels":{"app":"web"}},
     "data":{"managedFields":"a data key of that name, kept","x":"1"}},
    {"metadata":{"managedFields":null,"name":"b"},"spec":{"metadata":{"managedFields":[1]}}},
    {"metadata":{"name":"c","managedFields":{}}},
    {"metadata":{"name":"d"},"managedFields":"item-level, kept"},
    {"metadata":{"managedFields":[]}},
    17, [ {"metadata":{"managedFields":1}} ], "text"
  ]})";

}  // namespace

TEST_CASE("a list page parsed without managedFields drops exactly items[*].metadata's",
          "[list_page]") {
  const std::string got = parsed(kPage, true);
  CHECK(got == expected_without(kPage));
  // What must stay: the list's own metadata, a data key, a nested spec.metadata, an item-level key.
  CHECK(got.find("list-level, kept") != std::string::npos);
  CHECK(got.find("a data key of that name, kept") != std::string::npos);
  CHECK(got.find(R"("spec":{"metadata":{"managedFields":[1]}})") != std::string::npos);
  CHECK(got.find("item-level, kept") != std::string::npos);
  CHECK(got.find("kubectl") == std::string::npos);
  CHECK(got.find(R"({"metadata":{"name":"c"}})") != std::string::npos);
  CHECK(got.find(R"({"metadata":{}})") != std::string::npos);
}

TEST_CASE("a list page parsed whole is Document::Parse's", "[list_page]") {
  rapidjson::Document d;
  d.Parse(kPage.data(), kPage.size());
  CHECK(parsed(kPage, false) == compact(d));
}

TEST_CASE("pages with nothing to drop come out unchanged", "[list_page]") {
  for (const char* body : {R"({"items":[]})", R"({})", R"([])", R"("s")",
                           R"({"items":{"metadata":{"managedFields":1}}})",
                           R"({"items":[{"metadata":[{"managedFields":1}]}]})",
                           R"({"x":{"items":[{"metadata":{"managedFields":1}}]}})"}) {
    INFO(body);
    rapidjson::Document d;
    d.Parse(body);
    CHECK(parsed(body, true) == compact(d));
  }
}

TEST_CASE("invalid JSON fails like Document::Parse, at the same offset", "[list_page]") {
  for (const std::string& body :
       {std::string(R"({"items":[{"metadata":{"managedFields":[1,}]})"),
        std::string(R"({"items":[)"), std::string(""), std::string("{} x")}) {
    INFO(body);
    rapidjson::Document want, got;
    want.Parse(body.data(), body.size());
    REQUIRE(want.HasParseError());
    CHECK_FALSE(parse_list_page(got, body, true));
    CHECK(got.HasParseError());
    CHECK(got.GetErrorOffset() == want.GetErrorOffset());
  }
}
