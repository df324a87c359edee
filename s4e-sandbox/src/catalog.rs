//! Fixed material the seed data and scans draw from: realistic finding
//! templates and asset name parts (all on documentation domains and ranges).

use crate::enums::Severity;

pub(crate) struct Template {
    pub(crate) title: &'static str,
    pub(crate) severity: Severity,
    pub(crate) cvss: f64,
    pub(crate) vector: &'static str,
    pub(crate) description: &'static str,
    pub(crate) remediation: &'static str,
    pub(crate) reference: &'static str,
    pub(crate) path: &'static str,
}

macro_rules! t {
    ($title:literal, $sev:ident, $cvss:literal, $vector:literal, $desc:literal, $fix:literal, $ref:literal, $path:literal) => {
        Template {
            title: $title,
            severity: Severity::$sev,
            cvss: $cvss,
            vector: $vector,
            description: $desc,
            remediation: $fix,
            reference: $ref,
            path: $path,
        }
    };
}

pub(crate) const TEMPLATES: &[Template] = &[
    t!(
        "SQL injection in search parameter",
        Critical,
        9.8,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "The `q` parameter is concatenated into a SQL query; a crafted value reads arbitrary tables.",
        "Use parameterized queries and validate input server-side.",
        "https://owasp.org/www-community/attacks/SQL_Injection",
        "/search?q=%27"
    ),
    t!(
        "Remote code execution in outdated Apache Struts",
        Critical,
        9.8,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "The server runs a Struts version vulnerable to OGNL injection (CVE-2017-5638).",
        "Upgrade Apache Struts to 2.5.33 or later.",
        "https://nvd.nist.gov/vuln/detail/CVE-2017-5638",
        "/struts2-showcase/"
    ),
    t!(
        "Exposed .git directory",
        Critical,
        9.1,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
        "The repository metadata under `/.git/` is downloadable, exposing source code and history.",
        "Block access to `/.git/` at the web server and remove it from the web root.",
        "https://owasp.org/www-project-web-security-testing-guide/",
        "/.git/config"
    ),
    t!(
        "Default credentials on admin panel",
        Critical,
        9.0,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H",
        "The administration login accepts the vendor's default user name and password.",
        "Change the default credentials and restrict the panel to trusted networks.",
        "https://cwe.mitre.org/data/definitions/1392.html",
        "/admin/login"
    ),
    t!(
        "Reflected cross-site scripting",
        High,
        7.4,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "The `redirect` parameter is echoed into the page without encoding.",
        "Encode output by context and set a Content-Security-Policy.",
        "https://owasp.org/www-community/attacks/xss/",
        "/login?redirect=%3Cscript%3E"
    ),
    t!(
        "TLS certificate expires in 7 days",
        High,
        7.5,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "The certificate served on port 443 expires within a week.",
        "Renew the certificate and automate renewal (e.g. ACME).",
        "https://www.rfc-editor.org/rfc/rfc8555",
        "/"
    ),
    t!(
        "Outdated OpenSSH with known vulnerabilities",
        High,
        8.1,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "The SSH banner reports a version affected by CVE-2024-6387 (regreSSHion).",
        "Upgrade OpenSSH to 9.8p1 or later.",
        "https://nvd.nist.gov/vuln/detail/CVE-2024-6387",
        "ssh://:22"
    ),
    t!(
        "Open Redis without authentication",
        High,
        8.6,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L",
        "Redis answers commands on port 6379 from the internet without a password.",
        "Bind Redis to private interfaces and require authentication.",
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/",
        "redis://:6379"
    ),
    t!(
        "Server-side request forgery in image proxy",
        High,
        8.2,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N",
        "The `url` parameter of the image proxy fetches internal addresses.",
        "Allow-list destinations and block private address ranges.",
        "https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/",
        "/img?url=http://169.254.169.254/"
    ),
    t!(
        "Directory listing enabled",
        Medium,
        5.3,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        "The server lists the contents of `/backup/`.",
        "Disable automatic directory indexes.",
        "https://cwe.mitre.org/data/definitions/548.html",
        "/backup/"
    ),
    t!(
        "Missing HSTS header",
        Medium,
        4.8,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N",
        "Responses do not carry `Strict-Transport-Security`, leaving users open to TLS stripping.",
        "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains`.",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Strict-Transport-Security",
        "/"
    ),
    t!(
        "Weak TLS cipher suites supported",
        Medium,
        5.9,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "The server accepts CBC-mode and 3DES cipher suites.",
        "Allow only AEAD cipher suites with forward secrecy.",
        "https://ssl-config.mozilla.org/",
        "tls://:443"
    ),
    t!(
        "TLS 1.0 enabled",
        Medium,
        5.9,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "The server still negotiates TLS 1.0.",
        "Disable TLS 1.0 and 1.1.",
        "https://www.rfc-editor.org/rfc/rfc8996",
        "tls://:443"
    ),
    t!(
        "Cookie without Secure flag",
        Medium,
        4.3,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N",
        "The session cookie is set without `Secure`, so it may travel over plain HTTP.",
        "Set `Secure`, `HttpOnly` and `SameSite` on session cookies.",
        "https://owasp.org/www-community/controls/SecureCookieAttribute",
        "/"
    ),
    t!(
        "Open redirect",
        Medium,
        6.1,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "The `next` parameter redirects to any external host.",
        "Redirect only to relative paths or an allow-list of hosts.",
        "https://cwe.mitre.org/data/definitions/601.html",
        "/logout?next=https://example.net"
    ),
    t!(
        "CORS allows any origin with credentials",
        Medium,
        6.5,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N",
        "The API reflects the request origin in `Access-Control-Allow-Origin` with credentials allowed.",
        "Allow-list trusted origins.",
        "https://portswigger.net/web-security/cors",
        "/api/me"
    ),
    t!(
        "DNS zone transfer allowed",
        Medium,
        5.3,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        "The name server answers AXFR requests from any client.",
        "Restrict zone transfers to secondary name servers.",
        "https://www.rfc-editor.org/rfc/rfc5936",
        "dns://:53"
    ),
    t!(
        "Missing SPF record",
        Low,
        3.7,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N",
        "The domain publishes no SPF policy, easing sender spoofing.",
        "Publish an SPF record listing the authorized mail servers.",
        "https://www.rfc-editor.org/rfc/rfc7208",
        "dns://TXT"
    ),
    t!(
        "Missing DMARC policy",
        Low,
        3.1,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N",
        "No `_dmarc` record: receivers cannot reject spoofed mail.",
        "Publish a DMARC record, starting with `p=none` and reporting.",
        "https://www.rfc-editor.org/rfc/rfc7489",
        "dns://_dmarc"
    ),
    t!(
        "Server version disclosed in headers",
        Low,
        2.7,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        "The `Server` header names the exact software version.",
        "Remove version details from response headers.",
        "https://cwe.mitre.org/data/definitions/200.html",
        "/"
    ),
    t!(
        "Missing X-Content-Type-Options header",
        Low,
        3.1,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        "Responses lack `X-Content-Type-Options: nosniff`.",
        "Send `X-Content-Type-Options: nosniff`.",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Content-Type-Options",
        "/"
    ),
    t!(
        "Clickjacking: missing frame protection",
        Low,
        3.4,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N",
        "Pages can be framed by other sites: neither `X-Frame-Options` nor `frame-ancestors` is set.",
        "Set `Content-Security-Policy: frame-ancestors 'self'`.",
        "https://owasp.org/www-community/attacks/Clickjacking",
        "/"
    ),
    t!(
        "Autocomplete enabled on password field",
        Low,
        2.1,
        "CVSS:3.1/AV:L/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        "The login form lets browsers store the password.",
        "Set `autocomplete=\"current-password\"` deliberately or disable it for shared devices.",
        "https://cwe.mitre.org/data/definitions/522.html",
        "/login"
    ),
    t!(
        "Open port 8080 (HTTP proxy)",
        Info,
        0.0,
        "",
        "Port 8080 answers with an HTTP proxy banner.",
        "Confirm the service is intended to be public.",
        "https://www.iana.org/assignments/service-names-port-numbers/",
        "tcp://:8080"
    ),
    t!(
        "Technology detected: nginx",
        Info,
        0.0,
        "",
        "The site is served by nginx.",
        "No action needed; keep it patched.",
        "https://nginx.org/en/security_advisories.html",
        "/"
    ),
    t!(
        "robots.txt reveals hidden paths",
        Info,
        0.0,
        "",
        "`/robots.txt` disallows `/internal/` and `/staging/`, naming them.",
        "Do not rely on robots.txt to hide content.",
        "https://www.rfc-editor.org/rfc/rfc9309",
        "/robots.txt"
    ),
    t!(
        "Subdomain discovered via certificate transparency",
        Info,
        0.0,
        "",
        "A certificate log lists a subdomain not in the asset inventory.",
        "Add the subdomain as an asset or retire it.",
        "https://certificate.transparency.dev/",
        "/"
    ),
];

pub(crate) const SUBDOMAINS: &[&str] = &[
    "www", "api", "shop", "portal", "mail", "vpn", "admin", "blog", "cdn", "auth", "status", "dev",
    "staging", "docs", "app", "git", "grafana", "sso",
];

pub(crate) const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "acme-corp.example",
];

pub(crate) const TAGS: &[&str] = &[
    "production",
    "staging",
    "external",
    "internal",
    "pci",
    "web",
    "api",
    "legacy",
    "critical",
];

pub(crate) const REGISTRARS: &[&str] = &[
    "Example Registrar, Inc.",
    "Acme Domains LLC",
    "Sample Names GmbH",
];

pub(crate) const TECHNOLOGIES: &[&str] = &[
    "nginx",
    "Apache httpd",
    "OpenSSH",
    "PostgreSQL",
    "Redis",
    "React",
    "WordPress",
    "Node.js",
    "Cloudflare",
    "Let's Encrypt",
    "PHP",
    "Kubernetes",
];
