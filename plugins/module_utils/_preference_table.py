# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data of qBittorrent's application preferences (app/preferences): tables only, no logic.

SCHEMA documents every key the collection knows, its type, the release that first has it and the one that
dropped it. The server is the truth at run time: app/preferences returns every key it knows with a value of the
right type, so a key's type comes from the server's own value, and the table is the fallback (for checks before
any request, for keys the server never returns and for messages).

RULES say what the server can keep as sent: ranges, choices with their meaning, units, paths and addresses.
qBittorrent clamps, reinterprets or drops a value outside them without an error, so every declared value is
checked against them (_preference_values.py) before anything is written.

Facts: qBittorrent's src/webui/api/appcontroller.cpp (preferencesAction, setPreferencesAction) of every
release from 4.1.0, the setters it calls (src/base/bittorrent/sessionimpl.cpp, src/base/preferences.cpp), and
behaviour seen on qBittorrent 4.5.2, 5.1.0 and 5.3.0 (docs/dev/gen_preferences_reference.py renders it all
as docs/docsite/rst/preferences_reference.rst).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# key, type, first release that has it, first release without it (- = still there), flags.
# Flags: secret (masked everywhere), ro (read-only), wo (write-only), webui (changing it moves or re-keys the
# WebUI), endpoint (it moves the WebUI to another address, port or scheme), path (a path on the server: absolute,
# or empty for none), required (never empty), lines (a newline-separated list), semicolons (a ;-separated list).
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
save_path                                   str    4.1.0  -      path required
temp_path_enabled                           bool   4.1.0
temp_path                                   str    4.1.0  -      path required
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
dl_limit                                    int    4.1.0
up_limit                                    int    4.1.0
alt_dl_limit                                int    4.1.0
alt_up_limit                                int    4.1.0
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


# Preferences whose values are secrets. web_ui_password is write-only (appcontroller.cpp preferencesAction never
# returns it from 4.2 on); the others are returned in clear text.
SECRET_KEYS = _flagged("secret")
READ_ONLY_KEYS = _flagged("ro")
WRITE_ONLY_KEYS = _flagged("wo")
# Keys that move the WebUI or change its credentials: written last, in a write of their own, then followed.
WEBUI_KEYS = _flagged("webui")
# The subset that moves the WebUI to another address, port or scheme.
ENDPOINT_KEYS = _flagged("endpoint")
PATH_KEYS = _flagged("path")
REQUIRED_KEYS = _flagged("required")
# Keys whose values hold server paths (scan_dirs: its folders and targets).
PATH_VALUE_KEYS = PATH_KEYS | {"scan_dirs"}
# Keys qBittorrent stores as a list; a list declared for them is joined with the separator.
LIST_SEPARATORS = {**{key: "\n" for key in _flagged("lines")}, **{key: ";" for key in _flagged("semicolons")}}


class Rule(NamedTuple):
    """What the server can keep for one key.

    low/high bound a number; special: values with a meaning of their own, allowed even outside low..high;
    choices: every value the server knows, with its meaning; step: a number must be a multiple of it; unit: what
    a number counts; form: ip (an address, or empty for none), bind (an address or *), subnets, ip_ranges (each
    item of the list). A path is a flag of the schema table.
    """

    low: float | None = None
    high: float | None = None
    unit: str = ""
    special: Mapping[Any, str] | None = None
    choices: Mapping[Any, str] | None = None
    step: int = 1
    form: str = ""


INT32 = (-(2**31), 2**31 - 1)  # QVariant::toInt(): a C++ int; every int key without a rule has this range
INT64 = (-(2**63), 2**63 - 1)  # QVariant::toLongLong()
_MAX = INT32[1]
_KIB = _MAX // 1024 * 1024  # the largest int that is a whole number of KiB
_PORT = Rule(0, 65535, "port")
_NO_LIMIT = {-1: "no limit"}
_RATE = Rule(0, _KIB, "bytes/s", {0: "no limit"}, step=1024)
_OS_CACHE = {0: "disable the OS cache", 1: "enable the OS cache"}

RULES: dict[str, Rule] = {
    # Ports: quint16 (Preferences::setWebUIPort, Net::ProxyConfiguration::port); the others are ints the
    # WebUI (src/webui/www/private/views/preferences.html) and the GUI (src/gui/advancedsettings.cpp) keep to
    # 0..65535. web_ui_port 0 would lose the WebUI.
    "web_ui_port": Rule(1, 65535, "port"),
    "listen_port": Rule(0, 65535, "port", {0: "a random port at each start"}),
    "ssl_listen_port": _PORT,
    "proxy_port": _PORT,
    "i2p_port": _PORT,
    "embedded_tracker_port": _PORT,
    "announce_port": Rule(0, 65535, "port", {0: "the listening port"}),
    "outgoing_ports_min": Rule(0, 65535, "port", {0: "any port"}),
    "outgoing_ports_max": Rule(0, 65535, "port", {0: "any port"}),
    # Speed limits: SessionImpl::setGlobalDownloadSpeedLimit and siblings (sessionimpl.cpp) keep whole KiB/s
    # in an int and report bytes/s: any other value comes back changed. 0 means no limit.
    "dl_limit": _RATE,
    "up_limit": _RATE,
    "alt_dl_limit": _RATE,
    "alt_up_limit": _RATE,
    "slow_torrent_dl_rate_threshold": Rule(1, _MAX, "KiB/s"),
    "slow_torrent_ul_rate_threshold": Rule(1, _MAX, "KiB/s"),
    "slow_torrent_inactive_timer": Rule(1, _MAX, "seconds"),
    # Counts: SessionImpl::setMaxConnections and siblings keep 0 and below as -1; setMaxActiveDownloads and
    # siblings raise anything below -1 to -1 (sessionimpl.cpp).
    "max_connec": Rule(1, _MAX, "connections", _NO_LIMIT),
    "max_connec_per_torrent": Rule(1, _MAX, "connections", _NO_LIMIT),
    "max_uploads": Rule(1, _MAX, "upload slots", _NO_LIMIT),
    "max_uploads_per_torrent": Rule(1, _MAX, "upload slots", _NO_LIMIT),
    "max_active_downloads": Rule(0, _MAX, "torrents", _NO_LIMIT),
    "max_active_uploads": Rule(0, _MAX, "torrents", _NO_LIMIT),
    "max_active_torrents": Rule(0, _MAX, "torrents", _NO_LIMIT),
    "max_active_checking_torrents": Rule(1, _MAX, "torrents", _NO_LIMIT),
    # Share limits: a torrent applies at most Torrent::MAX_RATIO and MAX_SEEDING_TIME (torrent.cpp, up to 5.1).
    "max_ratio": Rule(0, 9999, "ratio", _NO_LIMIT),
    "max_seeding_time": Rule(0, 525600, "minutes", _NO_LIMIT),
    "max_inactive_seeding_time": Rule(0, 525600, "minutes", _NO_LIMIT),
    "max_ratio_act": Rule(
        choices={
            0: "stop the torrent",
            1: "remove the torrent",
            2: "enable super seeding",
            3: "remove it with its files",
        }
    ),
    "share_limits_mode": Rule(choices={"MatchAny": "any limit reached", "MatchAll": "every limit reached"}),
    # Int enums: the switch in setPreferencesAction (appcontroller.cpp) and the enums it casts to
    # (src/base/bittorrent/session.h, src/base/preferences.h, src/base/torrentfileguard.h); a value outside is
    # stored as is and then read as something else.
    "encryption": Rule(choices={0: "prefer encryption", 1: "require encryption", 2: "disable encryption"}),
    "bittorrent_protocol": Rule(choices={0: "TCP and uTP", 1: "TCP", 2: "uTP"}),
    "scheduler_days": Rule(
        choices={
            0: "every day",
            1: "weekdays",
            2: "weekends",
            3: "Monday",
            4: "Tuesday",
            5: "Wednesday",
            6: "Thursday",
            7: "Friday",
            8: "Saturday",
            9: "Sunday",
        }
    ),
    "dyndns_service": Rule(choices={0: "DynDNS", 1: "No-IP"}),
    "upload_slots_behavior": Rule(choices={0: "fixed slots", 1: "upload rate based"}),
    "upload_choking_algorithm": Rule(choices={0: "round-robin", 1: "fastest upload", 2: "anti-leech"}),
    "utp_tcp_mixed_mode": Rule(choices={0: "prefer TCP", 1: "peer proportional"}),
    "disk_io_type": Rule(
        choices={
            0: "default",
            1: "memory mapped files",
            2: "POSIX-compliant",
            3: "simple pread/pwrite",
            4: "pread/pwrite (libtorrent 2.1 and later)",
        }
    ),
    "disk_io_read_mode": Rule(choices=_OS_CACHE),
    "disk_io_write_mode": Rule(choices={**_OS_CACHE, 2: "write-through (libtorrent 2)"}),
    "auto_delete_mode": Rule(choices={0: "never", 1: "if added", 2: "always"}),
    "file_log_age_type": Rule(choices={0: "days", 1: "months", 2: "years"}),
    # String enums: Utils::String::toEnum in setPreferencesAction falls back to a default for any other name.
    # Matched case-insensitively and sent in the server's spelling.
    "torrent_content_layout": Rule(
        choices={"Original": "as in the torrent", "Subfolder": "always a subfolder", "NoSubfolder": "no subfolder"}
    ),
    "torrent_stop_condition": Rule(
        choices={"None": "none", "MetadataReceived": "metadata received", "FilesChecked": "files checked"}
    ),
    "resume_data_storage_type": Rule(choices={"Legacy": "fastresume files", "SQLite": "SQLite database"}),
    "torrent_content_remove_option": Rule(
        choices={"Delete": "delete the files", "MoveToTrash": "move the files to the trash"}
    ),
    "mail_notification_encryption_type": Rule(choices={"None": "none", "STARTTLS": "STARTTLS", "SMTPS": "SMTPS"}),
    # Times: the scheduler's QTime (Preferences::setSchedulerStartTime); the WebUI and the GUI keep the rest.
    "schedule_from_hour": Rule(0, 23, "hour"),
    "schedule_to_hour": Rule(0, 23, "hour"),
    "schedule_from_min": Rule(0, 59, "minute"),
    "schedule_to_min": Rule(0, 59, "minute"),
    "web_ui_session_timeout": Rule(0, _MAX, "seconds"),
    "web_ui_ban_duration": Rule(1, _MAX, "seconds"),
    "web_ui_max_auth_fail_count": Rule(0, _MAX, "failed logins", {0: "never ban"}),
    "web_ui_sessions_count_limit": Rule(0, _MAX, "sessions"),
    "file_log_age": Rule(1, 365, "file_log_age_type units"),
    "file_log_max_size": Rule(1, _MAX // 1024, "KiB"),  # multiplied by 1024 into an int
    "save_resume_data_interval": Rule(0, _MAX, "minutes", {0: "never"}),
    "save_statistics_interval": Rule(0, _MAX, "minutes", {0: "never"}),
    "refresh_interval": Rule(30, 99999, "milliseconds"),
    "rss_refresh_interval": Rule(1, _MAX, "minutes"),
    "rss_fetch_delay": Rule(0, INT64[1], "seconds"),
    "rss_max_articles_per_feed": Rule(0, _MAX, "articles"),
    "upnp_lease_duration": Rule(0, _MAX, "seconds", {0: "permanent"}),
    "hostname_cache_ttl": Rule(0, _MAX, "seconds"),
    "stop_tracker_timeout": Rule(0, _MAX, "seconds"),
    "disk_cache_ttl": Rule(1, _MAX, "seconds"),
    "shutdown_timeout": Rule(0, _MAX, "seconds", _NO_LIMIT),
    # Sizes and advanced settings: src/gui/advancedsettings.cpp and the checks of preferences.html.
    "checking_memory_use": Rule(1, 1024, "MiB"),
    "disk_cache": Rule(0, 33554431, "MiB", {-1: "automatic"}),  # SessionImpl::setDiskCacheSize caps it
    "memory_working_set_limit": Rule(1, _MAX, "MiB"),
    "disk_queue_size": Rule(1024, _KIB, "bytes"),
    "socket_send_buffer_size": Rule(0, _KIB, "bytes", {0: "system default"}),
    "socket_receive_buffer_size": Rule(0, _KIB, "bytes", {0: "system default"}),
    "send_buffer_watermark": Rule(1, _MAX, "KiB"),
    "send_buffer_low_watermark": Rule(1, _MAX, "KiB"),
    "send_buffer_watermark_factor": Rule(1, _MAX, "%"),
    "torrent_file_size_limit": Rule(1, INT64[1], "bytes"),
    "async_io_threads": Rule(1, 1024, "threads"),  # SessionImpl::asyncIOThreads clamps to 1..1024
    "hashing_threads": Rule(1, 1024, "threads"),
    "file_pool_size": Rule(1, _MAX, "files"),
    "socket_backlog_size": Rule(1, _MAX, "connections"),
    "connection_speed": Rule(0, _MAX, "connections/s"),
    "bdecode_depth_limit": Rule(0, _MAX),
    "bdecode_token_limit": Rule(0, _MAX),
    "peer_tos": Rule(0, 255, "DSCP"),
    "peer_turnover": Rule(0, 100, "%"),
    "peer_turnover_cutoff": Rule(0, 100, "%"),
    "peer_turnover_interval": Rule(0, 3600, "seconds"),
    "max_concurrent_http_announces": Rule(1, _MAX, "announces"),
    "request_queue_size": Rule(1, _MAX, "requests"),
    "max_outstanding_block_requests": Rule(1, _MAX, "requests"),
    # Addresses: QHostAddress in setPreferencesAction (announce_ip, current_interface_address keep "" for one it
    # cannot read), WebUI::configure (web_ui_address: * or an address; anything else does not listen), and
    # Utils::Net::parseSubnet (the whitelist and the reverse proxies drop what they cannot read).
    "announce_ip": Rule(form="ip"),
    "current_interface_address": Rule(form="ip"),
    "web_ui_address": Rule(form="bind"),
    "bypass_auth_subnet_whitelist": Rule(form="subnets"),
    "web_ui_reverse_proxies_list": Rule(form="subnets"),
    "banned_IPs": Rule(form="ip_ranges"),  # single addresses; ranges and subnets from 5.3 (Utils::Net::parseIPRange)
}
# Speed limits: bytes/s kept in whole KiB/s.
RATE_KEYS = frozenset(key for key, rule in RULES.items() if rule.step == 1024)
# The string enums, in the server's spelling.
CHOICES = {
    key: tuple(rule.choices)
    for key, rule in RULES.items()
    if rule.choices and isinstance(next(iter(rule.choices)), str)
}

# Renamed keys: (older name, newer name, release of the rename). The server's keys decide which one it has.
RENAMES = (("start_paused_enabled", "add_stopped_enabled", "5.0.0"),)
RENAMED = {rename[0]: rename[1] for rename in RENAMES}
RENAMED.update({rename[1]: rename[0] for rename in RENAMES})

# proxy_type: an int enum up to 4.5, a string from 4.6 (WebAPI 2.9.0); the *_PW ints mean "with authentication".
PROXY_INT_TO_NAME = {0: "None", 1: "HTTP", 2: "SOCKS5", 3: "HTTP", 4: "SOCKS5", 5: "SOCKS4"}
PROXY_NAMES = ("None", "HTTP", "SOCKS5", "SOCKS4")
PROXY_NAME_TO_INT = {"none": (0, 0), "http": (1, 3), "socks5": (2, 4), "socks4": (5, 5)}
PROXY_AUTH_INTS = {3, 4}

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
