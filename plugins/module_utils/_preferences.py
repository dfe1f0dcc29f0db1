# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection knows about qBittorrent's application preferences (app/preferences).

The schema table below documents every key the collection knows, its type, the release that first has it and
the one that dropped it. The server is the truth at run time: app/preferences returns every key it knows with
a value of the right type, so a key's type comes from the server's own value, and the table is the fallback
(for checks before any request, for keys the server never returns and for messages).

Facts: docs/dev/webapi-facts.md#preferences (AppController::preferencesAction and setPreferencesAction in
qBittorrent's src/webui/api/appcontroller.cpp), and behaviour seen on qBittorrent 4.5.2, 5.1.0 and 5.3.0.
"""

from __future__ import annotations

import difflib
import json
import math
import posixpath
import re
from collections.abc import Mapping
from typing import Any, Callable, NamedTuple

from ansible.module_utils.parsing.convert_bool import boolean

from ._diff import normalize_path
from ._versions import parse_version

MASK = "********"

# key, type, first release that has it, first release without it (- = still there), flags.
# Flags: secret (masked everywhere), ro (read-only), wo (write-only), webui (changing it moves or re-keys the
# WebUI), endpoint (it moves the WebUI to another address, port or scheme), path (a path on the server),
# lines (a newline-separated list), semicolons (a ;-separated list), rate (bytes/s, kept in whole KiB/s).
_TABLE = """
locale                                      str    4.1.0
performance_warning                         bool   4.5.0
status_bar_external_ip                      bool   5.1.0
confirm_torrent_deletion                    bool   5.1.0
confirm_torrent_recheck                     bool   5.1.0
confirm_remove_all_tags                     bool   5.3.0
confirm_remove_tracker_from_all_torrents    bool   5.3.0
file_log_enabled                            bool   4.6.0
file_log_path                               str    4.6.0  -      path
file_log_backup_enabled                     bool   4.6.0
file_log_max_size                           int    4.6.0
file_log_delete_old                         bool   4.6.0
file_log_age                                int    4.6.0
file_log_age_type                           int    4.6.0
delete_torrent_content_files                bool   5.0.0
create_subfolder_enabled                    bool   4.1.5  4.3.2
torrent_content_layout                      str    4.3.2
add_to_top_of_queue                         bool   4.6.0
start_paused_enabled                        bool   4.1.5  5.0.0
add_stopped_enabled                         bool   5.0.0
torrent_stop_condition                      str    4.5.0
merge_trackers                              bool   4.6.0
auto_delete_mode                            int    4.1.5
preallocate_all                             bool   4.1.0
incomplete_files_ext                        bool   4.1.0
use_unwanted_folder                         bool   5.0.0
auto_tmm_enabled                            bool   4.1.5
torrent_changed_tmm_enabled                 bool   4.1.5
save_path_changed_tmm_enabled               bool   4.1.5
category_changed_tmm_enabled                bool   4.1.5
use_subcategories                           bool   4.6.0  5.2.0
save_path                                   str    4.1.0  -      path
temp_path_enabled                           bool   4.1.0
temp_path                                   str    4.1.0  -      path
use_category_paths_in_manual_mode           bool   4.5.0
export_dir                                  str    4.1.0  5.3.0  path
export_dir_fin                              str    4.1.0  5.3.0  path
torrent_files_backup_enabled                bool   5.3.0
torrent_files_backup_dir                    str    5.3.0  -      path
torrent_files_finished_backup_dir_enabled   bool   5.3.0
torrent_files_finished_backup_dir           str    5.3.0  -      path
remove_torrent_file_backup                  bool   5.3.0
scan_dirs                                   dict   4.1.0
excluded_file_names_enabled                 bool   4.5.0
excluded_file_names                         str    4.5.0  -      lines
mail_notification_enabled                   bool   4.1.0
mail_notification_sender                    str    4.1.5
mail_notification_email                     str    4.1.0
mail_notification_smtp                      str    4.1.0
mail_notification_ssl_enabled               bool   4.1.0  5.3.0
mail_notification_encryption_type           str    5.3.0
mail_notification_auth_enabled              bool   4.1.0
mail_notification_username                  str    4.1.0
mail_notification_password                  str    4.1.0  -      secret
autorun_on_torrent_added_enabled            bool   4.5.0
autorun_on_torrent_added_program            str    4.5.0
autorun_enabled                             bool   4.1.0
autorun_program                             str    4.1.0
listen_port                                 int    4.1.0
ssl_enabled                                 bool   5.0.0
ssl_listen_port                             int    5.0.0
random_port                                 bool   4.1.0
upnp                                        bool   4.1.0
max_connec                                  int    4.1.0
max_connec_per_torrent                      int    4.1.0
max_uploads                                 int    4.1.0
max_uploads_per_torrent                     int    4.1.0
i2p_enabled                                 bool   4.6.1
i2p_address                                 str    4.6.1
i2p_port                                    int    4.6.1
i2p_mixed_mode                              bool   4.6.1
i2p_inbound_quantity                        int    4.6.1
i2p_outbound_quantity                       int    4.6.1
i2p_inbound_length                          int    4.6.1
i2p_outbound_length                         int    4.6.1
i2p_inbound_length_variance                 int    5.3.0
i2p_outbound_length_variance                int    5.3.0
i2p_pex_enabled                             bool   5.3.0
proxy_type                                  str    4.1.0
proxy_ip                                    str    4.1.0
proxy_port                                  int    4.1.0
proxy_auth_enabled                          bool   4.1.0
proxy_username                              str    4.1.0
proxy_password                              str    4.1.0  -      secret
proxy_hostname_lookup                       bool   4.5.0
proxy_bittorrent                            bool   4.6.0
proxy_peer_connections                      bool   4.1.0
proxy_rss                                   bool   4.6.0
proxy_misc                                  bool   4.6.0
proxy_torrents_only                         bool   4.1.0  4.6.0
force_proxy                                 bool   4.1.0  4.2.0
ip_filter_enabled                           bool   4.1.0
ip_filter_path                              str    4.1.0  -      path
ip_filter_trackers                          bool   4.1.0
banned_IPs                                  str    4.1.0  -      lines
dl_limit                                    int    4.1.0  -      rate
up_limit                                    int    4.1.0  -      rate
alt_dl_limit                                int    4.1.0  -      rate
alt_up_limit                                int    4.1.0  -      rate
bittorrent_protocol                         int    4.1.0
limit_utp_rate                              bool   4.1.0
limit_tcp_overhead                          bool   4.1.0
limit_lan_peers                             bool   4.1.5
scheduler_enabled                           bool   4.1.0
schedule_from_hour                          int    4.1.0
schedule_from_min                           int    4.1.0
schedule_to_hour                            int    4.1.0
schedule_to_min                             int    4.1.0
scheduler_days                              int    4.1.0
dht                                         bool   4.1.0
pex                                         bool   4.1.0
lsd                                         bool   4.1.0
encryption                                  int    4.1.0
anonymous_mode                              bool   4.1.0
max_active_checking_torrents                int    4.5.0
queueing_enabled                            bool   4.1.0
max_active_downloads                        int    4.1.0
max_active_torrents                         int    4.1.0
max_active_uploads                          int    4.1.0
dont_count_slow_torrents                    bool   4.1.0
slow_torrent_dl_rate_threshold              int    4.1.5
slow_torrent_ul_rate_threshold              int    4.1.5
slow_torrent_inactive_timer                 int    4.1.5
max_ratio_enabled                           bool   4.1.0
max_ratio                                   float  4.1.0
max_seeding_time_enabled                    bool   4.1.0
max_seeding_time                            int    4.1.0
max_inactive_seeding_time_enabled           bool   4.6.0
max_inactive_seeding_time                   int    4.6.0
max_ratio_act                               int    4.1.0
share_limits_mode                           str    5.3.0
add_trackers_enabled                        bool   4.1.0
add_trackers                                str    4.1.0  -      lines
add_trackers_from_url_enabled               bool   5.1.0
add_trackers_url                            str    5.1.0
add_trackers_url_list                       str    5.1.0  -      ro
web_ui_domain_list                          str    4.1.0  -      semicolons
web_ui_address                              str    4.1.0  -      webui endpoint
web_ui_port                                 int    4.1.0  -      webui endpoint
web_ui_upnp                                 bool   4.1.0
use_https                                   bool   4.1.0  -      webui endpoint
ssl_cert                                    str    4.1.0  4.2.0  webui endpoint secret
ssl_key                                     str    4.1.0  4.2.0  webui endpoint secret
web_ui_https_cert_path                      str    4.2.0  -      webui endpoint path
web_ui_https_key_path                       str    4.2.0  -      webui endpoint path
web_ui_username                             str    4.1.0  -      webui
web_ui_password                             str    4.1.0  -      webui wo secret
bypass_local_auth                           bool   4.1.0
bypass_auth_subnet_whitelist_enabled        bool   4.1.0
bypass_auth_subnet_whitelist                str    4.1.0  -      lines
web_ui_max_auth_fail_count                  int    4.2.2
web_ui_ban_duration                         int    4.2.2
web_ui_session_timeout                      int    4.2.0
web_ui_sessions_count_limit                 int    5.3.0
web_ui_api_key                              str    5.2.0  -      ro secret
alternative_webui_enabled                   bool   4.1.5
alternative_webui_path                      str    4.1.5  -      path
web_ui_clickjacking_protection_enabled      bool   4.1.2
web_ui_csrf_protection_enabled              bool   4.1.2
web_ui_secure_cookie_enabled                bool   4.2.2
web_ui_host_header_validation_enabled       bool   4.1.5
web_ui_use_custom_http_headers_enabled      bool   4.2.5
web_ui_custom_http_headers                  str    4.2.5  -      lines
web_ui_reverse_proxy_enabled                bool   4.4.0
web_ui_reverse_proxies_list                 str    4.4.0  -      semicolons
dyndns_enabled                              bool   4.1.0
dyndns_service                              int    4.1.0
dyndns_username                             str    4.1.0
dyndns_password                             str    4.1.0  -      secret
dyndns_domain                               str    4.1.0
rss_refresh_interval                        int    4.1.1
rss_fetch_delay                             int    5.0.0
rss_max_articles_per_feed                   int    4.1.1
rss_processing_enabled                      bool   4.1.1
rss_auto_downloading_enabled                bool   4.1.1
rss_download_repack_proper_episodes         bool   4.2.5
rss_smart_episode_filters                   str    4.2.5  -      lines
resume_data_storage_type                    str    4.5.1
torrent_content_remove_option               str    5.0.0
memory_working_set_limit                    int    4.5.0
current_network_interface                   str    4.2.0
current_interface_name                      str    4.6.0  -      ro
current_interface_address                   str    4.2.0
save_resume_data_interval                   int    4.2.0
save_statistics_interval                    int    5.1.0
torrent_file_size_limit                     int    4.6.0
recheck_completed_torrents                  bool   4.2.0
app_instance_name                           str    5.0.0
refresh_interval                            int    4.5.0
resolve_peer_host_names                     bool   5.2.0
resolve_peer_countries                      bool   4.2.0
reannounce_when_address_changed             bool   4.4.0
enable_embedded_tracker                     bool   4.2.0
embedded_tracker_port                       int    4.2.0
embedded_tracker_port_forwarding            bool   4.5.0
mark_of_the_web                             bool   5.0.0
ignore_ssl_errors                           bool   5.0.1
python_executable_path                      str    5.0.0
shutdown_timeout                            int    5.3.0
start_paused                                bool   5.3.0
store_search_jobs                           bool   5.3.0
store_search_job_results                    bool   5.3.0
bdecode_depth_limit                         int    4.6.0
bdecode_token_limit                         int    4.6.0
async_io_threads                            int    4.2.0
hashing_threads                             int    4.3.0
file_pool_size                              int    4.2.0
checking_memory_use                         int    4.2.0
disk_cache                                  int    4.2.0
disk_cache_ttl                              int    4.2.0
disk_queue_size                             int    4.5.0
disk_io_type                                int    4.5.0
disk_io_read_mode                           int    4.5.0
disk_io_write_mode                          int    4.5.0
enable_os_cache                             bool   4.2.0  4.5.0
enable_coalesce_read_write                  bool   4.2.0
enable_piece_extent_affinity                bool   4.2.2
enable_upload_suggestions                   bool   4.2.0
send_buffer_watermark                       int    4.2.0
send_buffer_low_watermark                   int    4.2.0
send_buffer_watermark_factor                int    4.2.0
connection_speed                            int    4.4.0
socket_send_buffer_size                     int    4.6.0
socket_receive_buffer_size                  int    4.6.0
socket_backlog_size                         int    4.2.0
outgoing_ports_min                          int    4.2.0
outgoing_ports_max                          int    4.2.0
upnp_lease_duration                         int    4.2.3
peer_tos                                    int    4.3.4
utp_tcp_mixed_mode                          int    4.2.0
hostname_cache_ttl                          int    5.2.0
idn_support_enabled                         bool   4.3.2
enable_multi_connections_from_same_ip       bool   4.2.0
enable_multi_connections_from_same_peer_id  bool   5.3.0
validate_https_tracker_certificate          bool   4.3.0
ssrf_mitigation                             bool   4.3.8
block_peers_on_privileged_ports             bool   4.3.0
upload_slots_behavior                       int    4.2.0
upload_choking_algorithm                    int    4.2.0
announce_to_all_trackers                    bool   4.2.0
announce_to_all_tiers                       bool   4.2.0
announce_ip                                 str    4.2.0
announce_port                               int    5.1.0
max_concurrent_http_announces               int    4.3.0
stop_tracker_timeout                        int    4.2.2
peer_turnover                               int    4.3.0
peer_turnover_cutoff                        int    4.3.0
peer_turnover_interval                      int    4.3.0
request_queue_size                          int    4.5.0
max_outstanding_block_requests              int    5.3.0
seeding_outgoing_connections                bool   5.3.0
dht_bootstrap_nodes                         str    5.0.0
webtorrent_stun_server                      str    5.3.0
"""


class Pref(NamedTuple):
    """One preference key as the collection knows it."""

    kind: str  # bool, int, float, str or dict
    since: str  # the first release that has the key
    until: str | None  # the first release without it, None while it exists
    flags: frozenset


def _parse_table(text: str) -> dict[str, Pref]:
    table = {}
    for line in text.strip().splitlines():
        fields = line.split()
        until = fields[3] if len(fields) > 3 and fields[3] != "-" else None
        table[fields[0]] = Pref(fields[1], fields[2], until, frozenset(fields[4:]))
    return table


SCHEMA = _parse_table(_TABLE)


def _flagged(flag: str) -> frozenset:
    return frozenset(key for key, pref in SCHEMA.items() if flag in pref.flags)


# Preferences whose values are secrets. web_ui_password is write-only; the others are returned in clear text
# by app/preferences (AppController::preferencesAction; docs/dev/webapi-facts.md#preferences).
SECRET_KEYS = _flagged("secret")
READ_ONLY_KEYS = _flagged("ro")
WRITE_ONLY_KEYS = _flagged("wo")
# Keys that move the WebUI or change its credentials: written last, in a write of their own, then followed.
WEBUI_KEYS = _flagged("webui")
# The subset that moves the WebUI to another address, port or scheme.
ENDPOINT_KEYS = _flagged("endpoint")
PATH_KEYS = _flagged("path")
RATE_KEYS = _flagged("rate")
# Keys qBittorrent stores as a list; a list declared for them is joined with the separator.
LIST_SEPARATORS = {**{key: "\n" for key in _flagged("lines")}, **{key: ";" for key in _flagged("semicolons")}}

# String enums: a value outside the list is silently ignored by the server. Matched case-insensitively and sent
# in the server's spelling.
CHOICES = {
    "torrent_content_layout": ("Original", "Subfolder", "NoSubfolder"),
    "torrent_stop_condition": ("None", "MetadataReceived", "FilesChecked"),
    "resume_data_storage_type": ("Legacy", "SQLite"),
    "torrent_content_remove_option": ("Delete", "MoveToTrash"),
}
# Ranges the server does not enforce but that a working setup needs (web_ui_port 0 would lose the WebUI).
RANGES = {
    "web_ui_port": (1, 65535),
    "listen_port": (0, 65535),
    "proxy_port": (0, 65535),
    "schedule_from_hour": (0, 23),
    "schedule_to_hour": (0, 23),
    "schedule_from_min": (0, 59),
    "schedule_to_min": (0, 59),
}

# Renamed keys: (older name, newer name, release of the rename). The server's keys decide which one it has.
RENAMES = (("start_paused_enabled", "add_stopped_enabled", "5.0.0"),)
_RENAMED = {rename[0]: rename[1] for rename in RENAMES}
_RENAMED.update({rename[1]: rename[0] for rename in RENAMES})

# proxy_type: an int enum up to 4.5, a string from 4.6 (WebAPI 2.9.0); the *_PW ints mean "with authentication".
PROXY_INT_TO_NAME = {0: "None", 1: "HTTP", 2: "SOCKS5", 3: "HTTP", 4: "SOCKS5", 5: "SOCKS4"}
PROXY_NAMES = ("None", "HTTP", "SOCKS5", "SOCKS4")
_PROXY_NAME_TO_INT = {"none": (0, 0), "http": (1, 3), "socks5": (2, 4), "socks4": (5, 5)}
_PROXY_AUTH_INTS = {3, 4}

# Share limits: each value key with its switch. qBittorrent keeps no value while the limit is off (it reports
# -1), and up to 5.1 it applies the value only when the switch is in the same write, and true.
SHARE_LIMITS = (
    ("max_ratio", "max_ratio_enabled"),
    ("max_seeding_time", "max_seeding_time_enabled"),
    ("max_inactive_seeding_time", "max_inactive_seeding_time_enabled"),
)
# The scheduler applies its start and end times only as hour + minute pairs (every version).
SCHEDULE_PAIRS = (("schedule_from_hour", "schedule_from_min"), ("schedule_to_hour", "schedule_to_min"))

KIND_NAMES = {
    "bool": "a boolean",
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "dict": "a mapping",
}


def masked(preferences: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """A copy with every non-empty secret replaced by a mask, and the set of secret values found."""
    copy = dict(preferences)
    found = set()
    for key in SECRET_KEYS.intersection(copy):
        value = copy[key]
        if value:
            found.add(str(value))
            copy[key] = MASK
    return copy, found


def mask_value(key: str, value: Any) -> Any:
    """The value as it may be shown: secrets masked (an empty secret stays empty)."""
    if key in SECRET_KEYS and value not in (None, ""):
        return MASK
    return value


def leaf_texts(value: Any) -> list[str]:
    """Every string and number inside VALUE, to register a declared secret of any shape as no_log."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in leaf_texts(item)]
    if isinstance(value, (list, tuple, set)):
        return [text for item in value for text in leaf_texts(item)]
    return [str(value)]


def show(key: str, value: Any) -> str:
    """A value for a message, never a secret."""
    if key in SECRET_KEYS:
        return "(hidden)"
    return f"{value!r} ({_type_name(value)})"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


# ----------------------------------------------------------------------------------------------- types
def kind_of(key: str, current: Any = None, known: bool = False) -> str | None:
    """The type qBittorrent uses for KEY: from its current value when the server returned the key (KNOWN),
    else from the schema table; None when neither knows.

    JSON has no separate float type: qBittorrent writes max_ratio -1.0 as -1, so a float key of the table stays
    a float when the server's value looks like an int.
    """
    pref = SCHEMA.get(key)
    if known and current is not None:
        if isinstance(current, bool):
            return "bool"
        if isinstance(current, int):
            return "float" if pref is not None and pref.kind == "float" else "int"
        if isinstance(current, float):
            return "float"
        if isinstance(current, str):
            return "str"
        if isinstance(current, Mapping):
            return "dict"
    return pref.kind if pref is not None else None


_INT_TEXT = re.compile(r"^[+-]?\d+$")


class _Hint(ValueError):
    """What to do about a value of the wrong type; added to the 'expected ..., got ...' message."""


class _Invalid(ValueError):
    """A value of the right type that breaks a rule of the server; the message says it all."""


def coerce(key: str, value: Any, kind: str) -> Any:
    """VALUE as the type KIND, the way templated values arrive ('5', 'yes', '1.5', a JSON object).

    Raise ValueError with a message naming the key, the value (never a secret) and the expected type.
    """
    try:
        converted = _CONVERTERS[kind](key, value)
    except _Invalid as exc:
        raise ValueError(f"{key}: {exc}") from None
    except (TypeError, ValueError) as exc:
        hint = f": {exc}" if isinstance(exc, _Hint) else ""
        raise ValueError(f"{key}: expected {KIND_NAMES[kind]}, got {show(key, value)}{hint}") from None
    return _check_value(key, converted)


def _to_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int, float)):
        # Ansible's own rules: yes/no, on/off, true/false, 1/0, y/n, t/f (any case).
        try:
            return boolean(value.strip() if isinstance(value, str) else value, strict=True)
        except TypeError:
            raise _Hint("use true/false, yes/no, on/off or 1/0") from None
    raise TypeError()


def _to_int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError()
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_TEXT.match(value.strip()):
        return int(value.strip())
    number = _to_float(key, value)
    if not number.is_integer():
        raise _Hint("it has a fraction")
    return int(number)


def _to_float(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError()
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            raise TypeError()
    except OverflowError:  # float() of an int past 1e308
        raise _Hint("it is too large") from None
    if not math.isfinite(number):
        raise _Hint("it is not a finite number")
    return number


def _to_str(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _Hint("quote it if a string is meant")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)) and key in LIST_SEPARATORS:
        items = [_to_str(key, item) for item in value]
        return LIST_SEPARATORS[key].join(items)
    raise TypeError()


def _to_dict(key: str, value: Any) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _Hint("the string is not a JSON object") from None
    if not isinstance(value, Mapping):
        raise TypeError()
    if key != "scan_dirs":
        return dict(value)
    result = {}
    for folder, target in value.items():
        if not isinstance(folder, str) or not folder:
            raise _Invalid("each watched folder must be a non-empty path")
        if isinstance(target, str) and target.strip() in ("0", "1"):
            target = int(target.strip())
        if isinstance(target, bool) or not (target in (0, 1) or (isinstance(target, str) and target)):
            raise _Invalid(
                f"the target of {folder!r} must be 0 (the watched folder), 1 (the default save path) or a path"
            )
        result[folder] = target
    return result


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "str": _to_str,
    "dict": _to_dict,
}


def _check_value(key: str, value: Any) -> Any:
    """Rules a value must follow for the server to keep it as declared."""
    if key in CHOICES and isinstance(value, str):
        for choice in CHOICES[key]:
            if choice.lower() == value.strip().lower():
                return choice
        raise ValueError(f"{key}: {value!r} is not one of {', '.join(CHOICES[key])}")
    if key in RATE_KEYS and isinstance(value, int) and (value < 0 or value % 1024):
        raise ValueError(
            f"{key}: {value} cannot be kept: qBittorrent keeps speed limits in whole KiB/s, so declare a multiple "
            "of 1024 bytes/s (0 means no limit)"
        )
    if key in RANGES and isinstance(value, int):
        low, high = RANGES[key]
        if not low <= value <= high:
            raise ValueError(f"{key}: {value} is outside {low}..{high}")
    return value


# ----------------------------------------------------------------------------------------------- comparison
def _path(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("/"):
        return posixpath.normpath(value)  # what Qt's cleanPath does: '//', '/./', '/x/..' and a trailing '/'
    return normalize_path(value)


def _lines(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return sorted({line.strip() for line in value.splitlines() if line.strip()})


def _subnets(value: Any) -> Any:
    # The server accepts commas or newlines and writes single addresses as /32 (or /128).
    if not isinstance(value, str):
        return value
    result = set()
    for item in re.split(r"[,\n]", value):
        item = item.strip()
        if item and "/" not in item:
            item += "/128" if ":" in item else "/32"
        if item:
            result.add(item)
    return sorted(result)


def _number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def _scan_dirs(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {_path(folder): _path(target) for folder, target in value.items()}


def normalizer(key: str, kind: str | None) -> Callable[[Any], Any]:
    """How two values of KEY are compared: the way the server rewrites what it keeps."""
    if key in PATH_KEYS:
        return _path
    if key == "banned_IPs":
        return _lines  # sorted, without duplicates
    if key == "bypass_auth_subnet_whitelist":
        return _subnets
    if key == "scan_dirs":
        return _scan_dirs
    if kind == "float":
        return _number
    return _identity


def _identity(value: Any) -> Any:
    return value


# ----------------------------------------------------------------------------------------------- checks
def static_problems(declared: Mapping[str, Any]) -> list[str]:
    """Problems found without asking the server: every one is reported before any request is sent."""
    problems = []
    for key, value in declared.items():
        if key == "web_ui_api_key":
            problems.append(
                "web_ui_api_key: the API key cannot be set as a preference; qBittorrent generates it. "
                "Use community.qbittorrent.qbt_api_key to create, rotate or delete it"
            )
            continue
        if key in READ_ONLY_KEYS:
            problems.append(f"{key}: this preference is read-only; qBittorrent ignores any value sent for it")
            continue
        pref = SCHEMA.get(key)
        if pref is None or key == "proxy_type":
            continue  # unknown to the table (the server decides), or a type that depends on the version
        try:
            coerce(key, value, pref.kind)
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def closest_keys(key: str, known: list[str] | set[str] | frozenset, count: int = 3) -> list[str]:
    """The known keys that look most like KEY (a typo's likely intent)."""
    return difflib.get_close_matches(key, sorted(known), n=count, cutoff=0.6)


def unknown_key_message(key: str, server_keys: Any, app_version: str, webapi_version: Any) -> str:
    """Why KEY is not on this server: the server's version, the release that has it, and the closest keys."""
    message = f"{key}: qBittorrent {app_version} (WebAPI {webapi_version}) has no such preference"
    pref = SCHEMA.get(key)
    try:
        version = parse_version(app_version)
    except ValueError:
        version = None
    if pref is not None and version is not None:
        base = parse_version(version.base_version)
        if base < parse_version(pref.since):
            message += f"; it first appears in qBittorrent {pref.since}"
        elif pref.until and base >= parse_version(pref.until):
            message += f"; it was removed in qBittorrent {pref.until}"
    close = closest_keys(key, server_keys)
    if close:
        message += f". Closest known: {', '.join(close)}"
    return message


# ----------------------------------------------------------------------------------------------- planning
class Resolution:
    """The declared preferences resolved against one server's current preferences.

    desired: {server key: value of the server's type}; names: {server key: declared key}; translated: what was
    renamed or re-encoded for this version; unknown: declared keys this server does not have; problems: every
    value that cannot be used; implied: keys added because a declared key needs them.
    """

    def __init__(self) -> None:
        self.desired: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        self.translated: list[str] = []
        self.unknown: list[str] = []
        self.problems: list[str] = []
        self.implied: set[str] = set()

    def normalizers(self) -> dict[str, Callable[[Any], Any]]:
        return {key: normalizer(key, kind_of(key, None)) for key in self.desired}


def resolve(declared: Mapping[str, Any], current: Mapping[str, Any]) -> Resolution:
    """Translate, type and complete the declared preferences for a server whose app/preferences is CURRENT."""
    res = Resolution()
    for key, value in declared.items():
        target = key
        if key not in current and key not in WRITE_ONLY_KEYS:
            partner = _RENAMED.get(key)
            if partner is None or partner not in current:
                res.unknown.append(key)
                continue
            target = partner
            res.translated.append(f"{key} -> {partner}")
        if target in res.names:
            res.problems.append(
                f"{key}: {res.names[target]} and {key} are the same preference on this server ({target}); "
                "declare only one"
            )
            continue
        res.names[target] = key
        if target == "proxy_type":
            continue  # needs proxy_auth_enabled; done below
        kind = kind_of(target, current.get(target), known=target in current) or "str"
        try:
            res.desired[target] = coerce(target, value, kind)
        except ValueError as exc:
            res.problems.append(str(exc).replace(f"{target}:", f"{key}:", 1) if target != key else str(exc))
    if "proxy_type" in res.names:
        _resolve_proxy_type(res, declared[res.names["proxy_type"]], current)
    elif "proxy_auth_enabled" in res.desired and isinstance(current.get("proxy_type"), int):
        # Up to 4.5 proxy_auth_enabled alone is ignored: authentication is part of proxy_type.
        _resolve_proxy_type(res, current["proxy_type"], current, implied=True)
    _complete_share_limits(res, current)
    return res


def _proxy_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT_TEXT.match(value.strip()):
        return int(value.strip())
    return None


def _resolve_proxy_type(res: Resolution, value: Any, current: Mapping[str, Any], implied: bool = False) -> None:
    """proxy_type as this server spells it: an int up to 4.5 (authentication is part of the type), a name from
    4.6 (with proxy_auth_enabled apart). Declared as either, it is translated both ways."""
    declared_auth = res.desired.get("proxy_auth_enabled")
    auth = declared_auth
    number = _proxy_int(value)
    name = None
    if number is None:
        text = value.strip().lower() if isinstance(value, str) else None
        if text in ("http_pw", "socks5_pw"):
            if auth is False:
                res.problems.append(
                    f"proxy_type: {value!r} is a proxy with authentication, but proxy_auth_enabled is false"
                )
                return
            name, auth = text[:-3], True
        elif text in _PROXY_NAME_TO_INT:
            name = text
        else:
            res.problems.append(
                f"proxy_type: expected one of {', '.join(PROXY_NAMES)} (or 0 to 5), got {show('proxy_type', value)}"
            )
            return
    elif number not in PROXY_INT_TO_NAME:
        res.problems.append(f"proxy_type: {number} is not a proxy type (0 to 5, or one of {', '.join(PROXY_NAMES)})")
        return
    server_value = current.get("proxy_type")
    if isinstance(server_value, int) and not isinstance(server_value, bool):
        if number is None:
            plain, with_auth = _PROXY_NAME_TO_INT[name]
            if auth is None:
                auth = bool(current.get("proxy_auth_enabled"))
            number = with_auth if auth else plain
        elif auth is not None:
            number = ({1: 3, 2: 4} if auth else {3: 1, 4: 2}).get(number, number)
        if declared_auth and number not in _PROXY_AUTH_INTS:
            res.problems.append(
                f"proxy_auth_enabled: up to qBittorrent 4.5 only HTTP and SOCKS5 proxies have authentication, and "
                f"the proxy type is {PROXY_INT_TO_NAME[number]} ({number})"
            )
            return
        result: Any = number
    else:
        if number is not None:
            name = PROXY_INT_TO_NAME[number].lower()
            if number in _PROXY_AUTH_INTS:
                if auth is False:
                    res.problems.append(
                        f"proxy_type: {number} is a proxy with authentication, but proxy_auth_enabled is false"
                    )
                    return
                auth = True
        result = PROXY_INT_TO_NAME[_PROXY_NAME_TO_INT[name][0]]
        if auth and declared_auth is None:
            res.desired["proxy_auth_enabled"] = True
            res.implied.add("proxy_auth_enabled")
    if result != value:
        res.translated.append(f"proxy_type: {json.dumps(value)} -> {json.dumps(result)}")
    if implied:
        res.implied.add("proxy_type")
    res.desired["proxy_type"] = result


def _complete_share_limits(res: Resolution, current: Mapping[str, Any]) -> None:
    """Make each share limit's value and switch agree, since the server keeps -1 while a limit is off."""
    desired = res.desired
    for value_key, switch_key in SHARE_LIMITS:
        value, switch = desired.get(value_key), desired.get(switch_key)
        if value is None and switch is None:
            continue
        if value is not None and value < 0 and value != -1:
            res.problems.append(f"{value_key}: {value} is not a limit; use -1 for no limit")
            continue
        if value is not None and switch is not None:
            if switch != (value >= 0):
                res.problems.append(
                    f"{value_key}: {value} does not agree with {switch_key}: {switch}; qBittorrent keeps -1 exactly "
                    f"when the limit is off, so declare {value_key}: -1 with {switch_key}: false, or a limit with true"
                )
        elif value is not None:
            if switch_key in current:
                desired[switch_key] = value >= 0
                res.implied.add(switch_key)
        elif switch is False:
            if value_key in current:
                desired[value_key] = -1
                res.implied.add(value_key)
        elif not current.get(switch_key):
            res.problems.append(
                f"{switch_key}: true needs {value_key} as well: while the limit is off qBittorrent keeps no value "
                "for it (it reports -1)"
            )


def partners(payload: Mapping[str, Any], desired: Mapping[str, Any], current: Mapping[str, Any], coupled: bool) -> dict:
    """Keys the server needs in the same write as the ones in PAYLOAD: the other half of a scheduler time, and,
    when COUPLED (up to qBittorrent 5.1), the other half of a share limit. Values from DESIRED, else CURRENT.
    """
    pairs = list(SCHEDULE_PAIRS) + (list(SHARE_LIMITS) if coupled else [])
    extra = {}
    for pair in pairs:
        if any(key in payload for key in pair):
            for key in pair:
                if key not in payload and (key in desired or key in current):
                    extra[key] = desired[key] if key in desired else current[key]
    return extra
