//! A browser without JavaScript, for page tests that need no Chromium: a cookie-keeping client
//! that does not follow redirects (each 303 is checked), and the page as received, read as a
//! person would (texts, fields, forms, links).

use cyberdir::auth::Role;
use serde_json::json;

use super::html::{decode_entities, visible_text};
use super::{TEST_PASSWORD, TestApp};

/// A page or a form's answer as the browser received it.
#[derive(Debug)]
pub struct Page {
    /// The address it was asked at (path and query), which its relative links start from.
    pub url: String,
    pub status: u16,
    pub location: Option<String>,
    pub content_type: String,
    pub html: String,
    pub bytes: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
}

/// A browser: cookies kept, redirects not followed.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

/// The value of `name="…"` in a tag's source.
pub fn tag_attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(decode_entities(&tag[start..end]))
}

/// The hidden fields of a form's source.
pub fn hidden_in(form: &str) -> Vec<(String, String)> {
    form.split('<')
        .filter(|tag| tag.starts_with("input") && tag.contains("type=\"hidden\""))
        .filter_map(|tag| Some((tag_attribute(tag, "name")?, tag_attribute(tag, "value")?)))
        .collect()
}

impl Page {
    /// A link or form action as the browser follows it: relative ones from the page's address.
    pub fn resolve(&self, href: &str) -> String {
        if href.is_empty() || href.starts_with(['/', '#', '?']) || href.contains(':') {
            return href.to_owned();
        }
        let path = self.url.split('?').next().unwrap_or_default();
        format!("{}{href}", &path[..=path.rfind('/').unwrap_or(0)])
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.html.find(marker).expect("a form with a CSRF token") + marker.len();
        self.html[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect()
    }

    /// A header's value, if sent.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The page as read on screen: tags removed, entities decoded, spaces collapsed.
    pub fn text(&self) -> String {
        visible_text(&self.html)
    }

    /// The text of the element with this id (up to its closing tag).
    pub fn element(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\"");
        let at = self.html.find(&marker)?;
        let tag_start = self.html[..at].rfind('<')?;
        let name: String = self.html[tag_start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let open_end = at + self.html[at..].find('>')? + 1;
        let close = self.html[open_end..].find(&format!("</{name}>"))?;
        Some(visible_text(&self.html[open_end..open_end + close]))
    }

    /// The opening tag of the element with this id.
    pub fn tag(&self, id: &str) -> String {
        let marker = format!("id=\"{id}\"");
        let at = self
            .html
            .find(&marker)
            .unwrap_or_else(|| panic!("no element #{id} in the page"));
        let start = self.html[..at].rfind('<').unwrap();
        let end = at + self.html[at..].find('>').unwrap();
        self.html[start..=end].to_owned()
    }

    /// The value of an attribute of the element with this id, decoded.
    pub fn attribute(&self, id: &str, name: &str) -> Option<String> {
        let tag = self.tag(id);
        let marker = format!(" {name}=\"");
        let start = tag.find(&marker)? + marker.len();
        let end = start + tag[start..].find('"')?;
        Some(decode_entities(&tag[start..end]))
    }

    pub fn value(&self, id: &str) -> String {
        self.attribute(id, "value").unwrap_or_default()
    }

    pub fn checked(&self, id: &str) -> bool {
        self.tag(id).contains(" checked")
    }

    pub fn has(&self, id: &str) -> bool {
        self.html.contains(&format!("id=\"{id}\""))
    }

    /// The `href` of the link whose text contains `text`.
    pub fn link(&self, text: &str) -> Option<String> {
        let mut rest = self.html.as_str();
        while let Some(at) = rest.find("<a href=\"") {
            let after = &rest[at + 9..];
            let href_end = after.find('"')?;
            let close = after.find("</a>")?;
            let content_start = after.find('>')? + 1;
            if visible_text(&after[content_start..close]).contains(text) {
                return Some(self.resolve(&decode_entities(&after[..href_end])));
            }
            rest = &after[close..];
        }
        None
    }

    pub fn title(&self) -> String {
        let start = self.html.find("<title>").expect("a title") + "<title>".len();
        let end = self.html[start..].find("</title>").unwrap() + start;
        decode_entities(&self.html[start..end])
    }

    /// The text of the first element with `role="alert"`.
    pub fn alert(&self) -> Option<String> {
        let at = self.html.find("role=\"alert\"")?;
        let open = self.html[..at].rfind('<')?;
        let tag: String = self.html[open + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let close = format!("</{tag}>");
        let end = self.html[at..].find(&close)? + at;
        Some(visible_text(&self.html[open..end]))
    }

    /// The source of the form posting to `action`.
    pub fn form_source(&self, action: &str) -> Option<&str> {
        let key = format!("action=\"{action}\"");
        let at = self.html.find(&key)?;
        let start = self.html[..at].rfind("<form")?;
        let end = self.html[at..].find("</form>")? + at;
        Some(&self.html[start..end])
    }

    /// Every form posting to `action`.
    pub fn forms(&self, action: &str) -> Vec<&str> {
        let key = format!("action=\"{action}\"");
        self.html
            .match_indices(&key)
            .filter_map(|(at, _)| {
                let start = self.html[..at].rfind("<form")?;
                let end = self.html[at..].find("</form>")? + at;
                Some(&self.html[start..end])
            })
            .collect()
    }

    /// The hidden fields of the (first) form posting to `action`.
    pub fn hidden_fields(&self, action: &str) -> Vec<(String, String)> {
        let form = self
            .form_source(action)
            .unwrap_or_else(|| panic!("no form posting to {action} in:\n{}", self.text()));
        hidden_in(form)
    }

    pub fn hidden(&self, action: &str, name: &str) -> String {
        self.hidden_fields(action)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no hidden {name} in the form posting to {action}"))
    }

    /// Links whose target starts with `prefix`.
    pub fn links(&self, prefix: &str) -> Vec<String> {
        self.html
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(|href| self.resolve(&decode_entities(href)))
            .filter(|href| href.starts_with(prefix))
            .collect()
    }

    /// The text of the table row containing `needle`.
    pub fn row_with(&self, needle: &str) -> String {
        self.html
            .split("<tr")
            .skip(1)
            .map(|row| visible_text(&format!("<tr{}", row.split("</tr>").next().unwrap())))
            .find(|row| row.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle} in:\n{}", self.text()))
    }
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            client: super::client()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
        }
    }

    /// Logs in as the log-in page would, through the API.
    pub async fn log_in(&self, email: &str) {
        let response = self
            .client
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"email": email, "password": TEST_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "log-in of {email}");
    }

    async fn read(response: reqwest::Response, url: &str) -> Page {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap_or_default().to_vec();
        Page {
            url: url.to_owned(),
            status,
            location,
            content_type,
            html: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        Self::read(response, path).await
    }

    /// A form post with exactly these fields.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap();
        Self::read(response, path).await
    }

    /// Submits the form of `page` posting to `action`: its hidden fields plus `typed`.
    pub async fn submit(&self, page: &Page, action: &str, typed: &[(&str, &str)]) -> Page {
        self.submit_form(&page.hidden_fields(action), &page.resolve(action), typed)
            .await
    }

    /// Posts `hidden` fields (read from a form) plus `typed` to `action`.
    pub async fn submit_form(
        &self,
        hidden: &[(String, String)],
        action: &str,
        typed: &[(&str, &str)],
    ) -> Page {
        let mut fields: Vec<(&str, &str)> = hidden
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        fields.extend_from_slice(typed);
        self.post(action, &fields).await
    }

    /// Follows a 303 and returns the page it leads to.
    pub async fn follow(&self, answer: &Page) -> Page {
        assert_eq!(
            answer.status,
            303,
            "expected a redirect, got:\n{}",
            answer.text()
        );
        let location = answer.location.as_deref().expect("a Location header");
        self.get(location.strip_prefix(&self.base).unwrap_or(location))
            .await
    }

    /// A new account with `role` (named "Utilisateur de test"), signed in.
    pub async fn sign_in(app: &TestApp, email: &str, role: Role) -> Self {
        app.user(email, role).await;
        let browser = Self::new(&app.address);
        browser.log_in(email).await;
        browser
    }

    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        kind: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Page {
        let mut fields = vec![("csrf_token", token)];
        fields.extend(super::referencing::document_fields(kind));
        self.post_file(path, &fields, (filename, "application/pdf"), bytes)
            .await
    }

    /// A multipart form: text `fields` and one file named `file`.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        (filename, mime): (&str, &str),
        bytes: &[u8],
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        let form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(filename.to_owned())
                .mime_str(mime)
                .unwrap(),
        );
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        Self::read(response, path).await
    }
}
