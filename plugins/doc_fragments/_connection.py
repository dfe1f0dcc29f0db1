# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The connection options of every module, as module_utils/_connection.py OPTIONS defines them (types, defaults,
    # environment variables); tests/unit/plugins/module_utils/test_connection.py holds the two together.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - The qBittorrent WebUI to talk to, as V(host:port), V(http://host:port), V(https://host:port) or with a
        reverse-proxy path prefix such as V(https://example.org/qbt/) (the prefix is kept).
      - Without a scheme the module starts with HTTP and, if the port turns out to speak TLS, switches to HTTPS by
        itself. With a scheme it uses exactly that scheme.
      - If not set, the environment variable E(QBITTORRENTAPI_HOST) is used (or its legacy name
        E(PYTHON_QBITTORRENTAPI_HOST)).
      - Required, in the task or in the environment.
      - A redirect is followed only for a read, and only to the same scheme, host and port; a login, a logout or
        a write that is redirected fails, naming the new address to put in O(url).
      - Credentials written into the URL (V(http://user:password@host)) are refused; use O(username) and
        O(password).
      - Give the address the WebUI opens at in a browser. A URL that contains the API path C(/api/v2) is refused
        before any request (the module adds that path itself), naming the URL to use instead.
      - An answer that cannot come from qBittorrent fails the task with the HTTP status and a short summary of
        what answered (a page's title). It names another web server or a wrong path prefix, or the login page (or
        the credentials challenge, or a redirect to a login page) of an authenticating proxy in front of
        qBittorrent, and says what to do.
    type: str
    aliases: [host]
  username:
    description:
      - The WebUI username for a password login.
      - If not set, the environment variable E(QBITTORRENTAPI_USERNAME) is used (or its legacy name
        E(PYTHON_QBITTORRENTAPI_USERNAME)).
      - Ignored when O(api_key) is set. Leave both O(username) and O(api_key) unset only for a server that lets
        this machine in without authentication (C(bypass_local_auth) or the subnet whitelist).
      - Without O(api_key), O(username) and O(password) go together, each from the task or its environment
        variable; one without the other fails before any request, naming the missing option.
    type: str
  password:
    description:
      - The WebUI password for O(username).
      - If not set, the environment variable E(QBITTORRENTAPI_PASSWORD) is used (or its legacy name
        E(PYTHON_QBITTORRENTAPI_PASSWORD)).
      - The module logs in in line with its first request and always logs out at the end of the task, so no
        server session is left behind. A failed login is never retried, because repeated failures get the
        machine's IP address banned by qBittorrent.
    type: str
  api_key:
    description:
      - An API key (qBittorrent 5.2 or later), sent in an C(Authorization) header as C(Bearer <key>).
      - Takes precedence over O(username) and O(password); no login or logout happens.
      - If not set, the environment variable E(QBITTORRENTAPI_API_KEY) is used.
      - Against a server older than 5.2 the task fails with a clear message instead of sending anonymous calls.
      - Create or rotate the key with M(community.qbittorrent.qbt_api_key).
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate when the URL is HTTPS.
      - Setting the environment variable E(QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE) (or its legacy name
        E(PYTHON_QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE)) to any non-empty value, even V(false), also turns
        verification off.
      - Also used when downloading a C(.torrent) file from an C(https://) URL.
      - The environment variables C(REQUESTS_CA_BUNDLE) and C(CURL_CA_BUNDLE) do not override this option or
        O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the certificate authority (or the self-signed certificate) to trust for the WebUI.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP call (connecting, then each read). Retries multiply it; see O(http_adapter_args).
      - O(request_deadline) bounds a whole request.
    type: float
    default: 15.0
  request_deadline:
    description:
      - Seconds one whole HTTP request may take, from connecting to the last byte of the answer, however the
        server paces it (a server that sends one byte a second never hits O(timeout)). Each retry gets its own.
      - The default lets the biggest upload the collection sends (48 MiB of C(.torrent) files in one request)
        through at about 170 KB/s.
      - Also bounds the download of a C(.torrent) file from an http(s) URL.
    type: float
    default: 300.0
  requests_args:
    description:
      - Extra keyword arguments for every HTTP call made with the Python C(requests) library, such as C(proxies),
        C(cert) or C(headers). They override the module's own settings (C(timeout), C(verify)).
      - Headers given here override O(extra_headers).
      - Header values, the members of C(auth) and credentials in C(proxies) URLs are never shown in output.
      - Downloading a C(.torrent) file from an http(s) URL uses only C(proxies), C(timeout) and C(verify) from
        here.
      - Redirects are handled by the module, whatever C(allow_redirects) says (see O(url)).
    type: dict
  http_adapter_args:
    description:
      - Keyword arguments for the C(requests) C(HTTPAdapter), merged over the defaults, for example
        C(pool_maxsize) or C(max_retries).
      - By default a connection that fails before the request reaches the server is retried once, and a read
        that fails or gets HTTP 502, 503 or 504 (a proxy in front of a restarting server) is retried once.
        A write is never sent twice.
    type: dict
  extra_headers:
    description:
      - Headers added to every HTTP call, for example what a reverse proxy in front of qBittorrent requires.
      - An C(Authorization) header given here wins over the header O(api_key) would send.
      - Header values are never shown in output, except those of headers that name addresses or formats
        (C(Host), C(Origin), C(Referer), C(User-Agent), C(Accept*), C(Content-Type), C(X-Forwarded-*), C(X-Real-IP),
        C(X-Requested-With)).
      - They are sent to the WebUI only, never with a C(.torrent) download from another host.
    type: dict
  fail_on_unsupported_version:
    description:
      - Fail when the server's qBittorrent or WebAPI version is outside the supported range (qBittorrent 4.1 to
        5.3). When V(false), such a server gets a warning and the task goes on.
    type: bool
    default: false
  fail_on_unimplemented_endpoint:
    description:
      - What to do when the task declares something the server's version cannot do (for example a category
        download path on qBittorrent older than 4.4).
      - V(true) fails the task, naming the qBittorrent version that brings the feature. V(false) skips that
        setting with a warning.
    type: bool
    default: true
requirements:
  - requests
  - packaging
notes:
  - The connection options can be set once for every module of the collection with
    C(module_defaults) and the action group C(group/community.qbittorrent.qbittorrent).
  - These modules talk to the WebUI over HTTP(S); they usually run on the controller with
    C(delegate_to=localhost) or C(connection=local).
  - On a local connection (without C(become) or C(async)), and when the Python that runs Ansible can import
    C(requests) and C(packaging), the action plugin of the same name runs the module's code inside Ansible on the
    controller, with the same result and without starting a module process. Set the variable C(qbt_execution) to
    V(module) to always execute the module the classic way, or to V(in_process) to fail when that is not possible.
    See R(Controller-side execution,ansible_collections.community.qbittorrent.docsite.controller_execution).
  - Setting the environment variable E(QBITTORRENTAPI_DISABLE_LOGGING_DEBUG_OUTPUT) to any non-empty value raises
    the C(community.qbittorrent), C(requests) and C(urllib3) loggers to INFO where they are set lower.
"""
