//! A headless Chromium session driven through WebDriver (chromedriver), for tests of pages.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test` installs them).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "chromedriver";
const INSTALL_HINT: &str =
    "run `scripts/test` (it installs them) or `apt-get install chromium chromium-driver`";
/// How long a page gets to show what the user expects.
pub const WAIT: Duration = Duration::from_secs(10);
pub const PHONE: (u32, u32) = (390, 844);

/// The chromedriver child process, stopped on drop (also when a test fails).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver runs in its own process group with the Chromium it started: end them all
        // (the session is normally closed before, by `Browser::close`).
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Chromium session, its driver and its throw-away profile (dropped in that order).
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

impl Browser {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A phone's screen (390×844 CSS pixels, touch), as Chromium emulates it: the window
    /// alone cannot be narrower than 500 px in headless mode.
    pub async fn start_phone() -> Self {
        Self::start_with(Some(json!({
            "deviceMetrics": { "width": PHONE.0, "height": PHONE.1, "pixelRatio": 3.0, "touch": true }
        })))
        .await
    }

    async fn start_with(mobile_emulation: Option<Value>) -> Self {
        assert!(
            std::path::Path::new(CHROMIUM).is_file(),
            "{CHROMIUM} is missing: {INSTALL_HINT}"
        );
        let port = free_port();
        let mut driver = Driver({
            use std::os::unix::process::CommandExt;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER} ({e}): {INSTALL_HINT}"))
        });
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = driver.0.try_wait() {
                panic!("{CHROMEDRIVER} exited at start ({status})");
            }
            let ready = match http.get(format!("{url}/status")).send().await {
                Ok(r) => r
                    .json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                break;
            }
            if Instant::now() > deadline {
                panic!("{CHROMEDRIVER} did not answer on port {port} within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("Chromium profile dir");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--window-size={},{}", PHONE.0, PHONE.1),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        if let Some(emulation) = mobile_emulation {
            capabilities["goog:chromeOptions"]["mobileEmulation"] = emulation;
        }
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await;
        let client = connected.unwrap_or_else(|e| {
            panic!("Chromium session could not start through {CHROMEDRIVER}: {e}")
        });
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Ends the session (Chromium quits); the driver is stopped on drop.
    pub async fn close(self) {
        let Self {
            client,
            _driver,
            _profile,
        } = self;
        let _ = client.close().await;
    }

    /// Signs in through the app's log-in page and waits until the page shows the signed-in
    /// header: a navigation started before the log-in answered would land signed out.
    pub async fn sign_in(&self, app: &super::TestApp, email: &str) {
        self.goto(&app.url("/connexion")).await;
        self.type_into("#email", email).await;
        self.type_into("#password", super::TEST_PASSWORD).await;
        self.click("form[action=\"/connexion\"] button[type=submit]")
            .await;
        self.wait_for_text("Se déconnecter").await;
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn body_text(&self) -> String {
        self.js(
            "return document.body ? document.body.innerText : '';",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Polls `script` until it returns something other than null or false (page loads and
    /// script requests happen meanwhile); fails after [`WAIT`] with what the page shows.
    /// Waits until the page shows `expected`.
    pub async fn wait_for_text(&self, expected: &str) {
        self.wait_for(
            &format!("the text {expected:?}"),
            "return document.body && document.body.innerText.includes(arguments[0]);",
            vec![serde_json::json!(expected)],
        )
        .await;
    }

    pub async fn wait_for(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut last_error = None;
        loop {
            match self.client.execute(script, args.clone()).await {
                Ok(Value::Null | Value::Bool(false)) => {}
                Ok(value) => return value,
                // A script may fail while a new page replaces the old one.
                Err(e) => last_error = Some(e.to_string()),
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let text = self
                    .client
                    .execute("return document.body.innerText;", vec![])
                    .await
                    .map(|v| v.as_str().unwrap_or_default().to_owned());
                panic!(
                    "timed out after {WAIT:?} waiting for {what}\nurl: {url:?}\nlast script error: {last_error:?}\npage text:\n{text:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"));
        field.clear().await.expect("clearing the field");
        field.send_keys(text).await.expect("typing");
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
            .attr(name)
            .await
            .expect("reading an attribute")
    }

    /// The red, green and blue of an element's top border, as displayed.
    pub async fn border_colour(&self, css: &str) -> [u8; 3] {
        let colour = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
            .css_value("border-top-color")
            .await
            .expect("reading a style");
        let channels: Vec<u8> = colour
            .split(|c: char| !c.is_ascii_digit() && c != '.')
            .filter(|part| !part.is_empty())
            .take(3)
            .filter_map(|part| part.parse().ok())
            .collect();
        channels
            .try_into()
            .unwrap_or_else(|_| panic!("unexpected colour {colour:?}"))
    }

    /// Whether the page scrolls sideways at the current width (unusable on a phone).
    pub async fn horizontal_overflow(&self) -> Option<String> {
        let v = self
            .js(
                "const w = document.documentElement.scrollWidth, v = window.innerWidth;
                 return w > v ? `content ${w}px wide in a ${v}px viewport` : null;",
                vec![],
            )
            .await;
        v.as_str().map(str::to_owned)
    }

    /// Saves a screenshot of the whole page at `width` when CYBERDIR_SCREENSHOTS names a folder.
    pub async fn screenshot_at(&self, width: u32, name: &str) {
        self.set_width(width, 900).await;
        let Some(dir) = std::env::var_os("CYBERDIR_SCREENSHOTS").map(PathBuf::from) else {
            return;
        };
        // The whole page: its height plus what the window takes around the viewport.
        let height = self
            .js(
                "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;",
                vec![],
            )
            .await
            .as_u64()
            .unwrap_or(900)
            .clamp(400, 6000);
        self.set_width(width, height as u32).await;
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(name);
        std::fs::write(&path, png).expect("writing the screenshot");
        eprintln!("screenshot: {}", path.display());
    }

    /// Saves a screenshot of the viewport as it is when CYBERDIR_SCREENSHOTS names a folder.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("CYBERDIR_SCREENSHOTS").map(PathBuf::from) else {
            return;
        };
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(name), png).expect("writing the screenshot");
    }

    pub async fn set_width(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resizing the window");
    }
}

/// axe-core's script, installed from npm by `scripts/install-test-deps`.
fn axe_source() -> String {
    let dir = std::env::var("CYBERDIR_AXE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/cyberdir-axe")
        });
    let path = dir.join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {}: run scripts/install-test-deps ({e})",
            path.display()
        )
    })
}

impl Browser {
    /// Runs axe-core on the page as shown and fails on any serious or critical violation,
    /// naming the rule and the elements.
    pub async fn assert_accessible(&self, what: &str) {
        self.js(&axe_source(), vec![]).await;
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }))
                 ), e => done([{ id: 'axe-error', help: String(e) }]));",
                vec![],
            )
            .await
            .expect("running axe-core");
        assert_eq!(
            violations,
            json!([]),
            "{what}: serious or critical accessibility violations"
        );
    }
}
