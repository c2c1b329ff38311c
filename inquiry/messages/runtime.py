"""The texts of how every command runs (inquiry/runtime/)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # -- runtime: how every command runs (inquiry/runtime/step.py) ----------------
    "summary_item": "項目 (item)",
    "summary_count": "件数 (count)",
    "rejected_rows": "不備 {count} 件 (rejected) → {path}",
    "interrupted": "中断されました (interrupted): {state}",
    "error": "エラー (error): {error}",
    "internal_error": "内部エラー (internal error): {kind}: {error}",
    "error_details": "詳細 (details): {path}",
    "no_key": "注意: 暗号化キーが設定されていません (no encryption key set: the store is protected by file permissions only)",
    "nothing_committed": "何も記録されていません (nothing was committed)",
    "committed_but": (
        "{command} の記録と操作履歴は保存済みです (committed: the store holds what {command} did, with its audit entry); "
        "その後の処理で失敗しました (failed while {after}). "
        "次のコマンドの開始時に残りの処理を完了します; 同じコマンドの再実行でも二重には記録されません "
        "(the next command finishes the file moves and deletions it left; running it again records nothing twice)"
    ),
    # -- runtime: audit, crypto, lock, settings, store, workspace (inquiry/runtime/) -----
    "audit_key_unreadable": "操作履歴の鍵を読めません (cannot read the audit key {path}): {error}",
    "audit_key_corrupt": "操作履歴の鍵が壊れています (the audit key {path} is not a key this program wrote)",
    "audit_keyed_with_store": "操作履歴はストアの鍵で署名されています (the audit trail is keyed with the store key): set INQUIRY_KEY",
    "audit_key_missing": (
        "操作履歴の鍵がありません (the audit key {path} is missing, but the trail was keyed with it): "
        "restore it from the backup; a new key would make the trail unverifiable"
    ),
    "key_file_in_workspace": (
        "鍵ファイルがワークスペースの中にあります (the key file {path} is inside the workspace {home}): "
        "keep it elsewhere, e.g. on removable media or in the service account's profile"
    ),
    "key_file_unreadable": "鍵ファイルを読めません (cannot read the key file {path}): {error}",
    "key_file_empty": "鍵ファイルが空です (the key file {path} is empty)",
    "sqlcipher_missing_for_key": (
        "{key_env}/{key_file_env} が設定されていますが sqlcipher3 がありません "
        "(an encryption key is configured but the sqlcipher3 package is not installed: "
        "pip install 'inquiry-batch[encryption]'); nothing is written unencrypted"
    ),
    "store_not_encrypted": (
        "ストアは暗号化されていません (the store {path} is not encrypted): to encrypt it run "
        "`inquiry encrypt --home {home}` with the key set; to use it as it is, unset {key_env}/{key_file_env}"
    ),
    "store_wrong_key": (
        "ストアを開けません: 暗号化キーが違うか、暗号化されていないストアです (cannot open {path}: wrong key, "
        "or the store was created without encryption)"
    ),
    "workspace_busy": (
        "別のコマンドがこのワークスペースを使用中です (another inquiry command is running on {folder}); "
        "終了を待ってから再実行してください"
    ),
    "municipality_code_digits": "全国地方公共団体コードは6桁の数字です (the municipality code is 6 digits): {value!r}",
    "municipality_check_digit": "全国地方公共団体コードの検査数字が違います (check digit of {value!r} should be {digit})",
    "municipality_name_blank": "団体名が空です (the municipality name is blank)",
    "store_cannot_open": "ストアを開けません (cannot open {path}): encrypted (set INQUIRY_KEY or INQUIRY_KEY_FILE) or not a store",
    "store_read_failed": "ストアを読めません (reading the store failed): {detail}",
    "cannot_tighten": (
        "{path} は所有者以外も読めますが変更できません (readable by others and cannot be made owner-only): "
        "fix its owner or permissions, then run the command again"
    ),
    "other_office_workspace": "{home} は別の団体のワークスペースです (already the workspace of {code} {name}, not {wanted})",
    "not_a_workspace": "{home} はワークスペースではありません (not a workspace): run `inquiry init --home {home}` first",
    "tightened": (
        "注意: 所有者以外も読める状態だったため権限を修正しました (the workspace was readable by others; "
        "made owner-only again — file, mode it had): {changed}"
    ),
}
