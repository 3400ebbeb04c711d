#include "worker/redact_url.h"

#include <gtest/gtest.h>

namespace farm {
namespace {

TEST(RedactPassword, PasswordBecomesStarsAndTheUserStays) {
  EXPECT_EQ(RedactPassword("http://ann:pw@host/x"), "http://ann:***@host/x");
  EXPECT_EQ(RedactPassword("https://ann:pw@host:8443/x?q=1#f"),
            "https://ann:***@host:8443/x?q=1#f");
  EXPECT_EQ(RedactPassword("http://:pw@host"), "http://:***@host");
  EXPECT_EQ(RedactPassword("http://ann:p:w@host"), "http://ann:***@host");
  // The last '@' of the authority ends the user info; a raw '@' in a password.
  EXPECT_EQ(RedactPassword("http://ann:p@w@host/"), "http://ann:***@host/");
}

TEST(RedactPassword, UrlsWithoutAPasswordAreUnchanged) {
  for (const char* url :
       {"http://host/x", "http://ann@host/x", "http://host:80/a@b", "http://host/x?u=a:b@c",
        "http://host#a:b@c", "not a url", "a/b://c:d@e", ""})
    EXPECT_EQ(RedactPassword(url), url);
}

}  // namespace
}  // namespace farm
