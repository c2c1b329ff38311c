"""The commands' texts (inquiry/steps/), one section per command, and the labels of their count keys."""

from __future__ import annotations

from matching import CLASSES

MESSAGES: dict[str, str] = {
    # -- steps: shared by several of them -------------------------------------------------
    "ignored_columns": "{file}: 使わない列 (ignored columns): {columns}",
    "file_rejected_whole": "ファイル全体を不採用 (file rejected whole): {reason}",
    # -- steps: prepare (inquiry/steps/prepare.py, requests.py, persons.py) --------------
    "prepare_title": "照会ファイル作成 (prepare)",
    "prepare_warning": "警告: {warning}",
    "paper_not_in_master": "照会先一覧にない金融機関 (not in the institutions master)",
    "paper_by_institution": "電子照会の対象外 (paper inquiry)",
    "paper_no_address": "住所必須の金融機関: 住所なし (institution requires an address)",
    "paper_list": "書面照会の一覧 (paper inquiries): {path}",
    "request_files_in": "照会ファイル (request files) → {folder}",
    "prepare_rows": "行数 (rows): master {read:,} = accepted {accepted:,} + rejected {rejected:,}",
    "request_truncated": "切り詰め (truncated) {file}: {field} '{original}' → '{written}'",
    "no_kana_reading": "カナ氏名がなく、漢字から読みを推定できません (no kana, no safe reading): {name}",
    # -- steps: sent (inquiry/steps/sent.py) ---------------------------------------------
    "sent_title": "送信記録 (sent)",
    "sent_unknown_file": "このワークスペースが作成した照会ファイルではありません (unknown request file)",
    "sent_already": "送信済み (already recorded as sent on {sent_at}): {file}",
    "sent_file_changed": "作成後に変更されています (file changed after it was written): not recorded",
    # -- steps: ingest (inquiry/steps/ingest.py) -----------------------------------------
    "ingest_title": "回答取込 (ingest)",
    "history_unable": "照会不能 (the institution could not answer)",
    "cannot_move_rejected": "{file} を inbox/rejected/ に移せません (cannot move the rejected file): {error}",
    "blank_value": "(空欄 blank)",
    "unknown_inquiry": "照会番号がありません (unknown inquiry id): {inquiry_id}",
    "other_service": "照会番号 {inquiry_id} は {service} に送っていません (inquiry was not sent through this service)",
    "other_person": "宛名番号 {person_id} は照会 {inquiry_id} の宛名番号ではありません (the answer names another person: not this office's inquiry?)",
    "already_answered": "照会番号 {inquiry_id} は回答済みです (already answered: {earlier}, {answered_on}); 二重に記録しません",
    "repeated_line": "明細の重複 (repeats line {line} of this file: same 照会番号 and 明細番号)",
    "found_bank_blank": "該当ありですが金融機関コードが空欄です (found, but 金融機関コード is blank)",
    "other_institution": "照会先 {sent_bank} 以外の金融機関 {bank} からの回答です (answer from an institution the inquiry did not go to)",
    "incomplete_key": "該当ありですが口座を特定できません: {missing} が空欄 (found, but the account key is incomplete)",
    "other_office_file": "照会機関コード {theirs} はこのワークスペース ({ours} {name}) のものではありません (answer file of another office)",
    "kind_never_sent": (
        "このワークスペースは {provider} に {kind} の照会を送っていません"
        " (no {kind} inquiry was ever written for {provider}: another service's or office's file)"
    ),
    "internal_read_error": "内部エラーのため読めません (internal error while reading: {kind}: {error})",
    "rows_mismatch": "行数が合いません (rows read {read} ≠ recorded {recorded} + rejected {rejected}): 内部エラー, nothing of the file recorded",
    "cannot_store": "記録できません (cannot be stored: {kind}: {error})",
    "already_ingested": "取込済みのためスキップ (already ingested): {file}",
    "ingest_rows": "行数 (rows): read {read:,} = recorded {recorded:,} + rejected {rejected:,}",
    # -- steps: link (inquiry/steps/link.py) ---------------------------------------------
    "link_done": "名寄せ (link): {counts} in {seconds:.2f}s → {out}",
    "link_out_is_folder": "--out {out} はフォルダです。出力ファイル名を指定してください (--out names a folder: give the file to write, e.g. {out}/matches.csv)",
    # -- steps: nightly (inquiry/steps/nightly.py) ---------------------------------------
    "nightly_title": "夜間処理 (nightly)",
    "nightly_stage": "工程 (stage)",
    "nightly_exit": "結果 (exit)",
    "nightly_not_run": "夜間処理は実行されていません (nightly did not run: nothing was committed)",
    "stage_interrupted": "– 中断のため未実行 (not run: interrupted)",
    "stage_not_installed": "– 未導入 (module not installed, skipped)",
    "stage_done": "0 完了 (done)",
    "stage_rejected": "1 不備あり (some input rejected)",
    "stage_failed": "2 失敗 (failed, nothing committed)",
    # -- steps: encrypt (inquiry/steps/encrypt.py) ---------------------------------------
    "encrypt_title": "ストアの暗号化 (encrypt)",
    "already_encrypted": "ストアは既に暗号化されています (the store {path} is already encrypted): nothing to do",
    "no_key_configured": (
        "暗号化キーが設定されていません (no encryption key is configured): set {key_env}, or {key_file_env} "
        "to a key file outside the workspace, then run `inquiry encrypt` again"
    ),
    "sqlcipher_missing": "sqlcipher3 がありません (the sqlcipher3 package is not installed: pip install 'inquiry-batch[encryption]')",
    "encrypt_nothing_changed": "何も変更されていません (nothing was changed)",
    "encrypt_store_unchanged": "ストアは変更されていません (the store was not changed: it is still unencrypted)",
    "encrypt_store_encrypted": "ストアは暗号化されています (the store is encrypted)",
    "encrypt_done": (
        "ストアを暗号化しました (the store is now encrypted): every command needs {key_env} or {key_file_env} "
        "from now on; keep the key safe — without it the store cannot be read. "
        "これ以前のバックアップは暗号化されていません (backups taken before now are not encrypted)"
    ),
    "copy_corrupt": "暗号化したコピーが壊れています (the encrypted copy failed its integrity check): {result}",
    "copy_differs": "暗号化したコピーが元と一致しません (the encrypted copy differs from the store: tables {tables})",
    "copy_audit_broken": "操作履歴の不整合 (audit trail broken in the copy): {problem}",
    "cannot_wipe_old": "注意: 旧ファイルを消去できません (could not overwrite {file}: {error}); the next command retries",
    # -- steps: demo (inquiry/steps/demo.py) ---------------------------------------------
    "demo_home_taken": "{home} は空ではなく、デモ用ワークスペースでもありません (not empty and not a demo workspace): choose another --home",
    "demo_selects": "職員役のデモが確認事項のない候補を選択しました (the demo selects the candidates with no finding)",
    "demo_office_bundled": "架空の自治体 (synthetic office): bundled sample, {persons} persons",
    "demo_office": "架空の自治体 (synthetic office): {persons:,} persons, seed {seed}",
    "demo_banks_answer": "模擬金融機関が照会ファイルに回答します (the simulated banks answer the request files)",
    "demo_banks_answer_history": "模擬金融機関が取引履歴照会に回答します (the simulated banks answer the history inquiries)",
    "demo_finished": "デモ完了 (demo finished)",
    "demo_reports": "報告書・出力 (reports, exports, rejects): {path}",
    "demo_report": "報告書 (report): {path}",
    # -- steps: payments (inquiry/steps/payments.py) -------------------------------------
    "payments_title": "収納情報取込 (payments load)",
    # -- steps: seize (inquiry/steps/seize/) --------------------------------------
    "seize_plan_title": "差押予定 候補 (seize plan)",
    "seize_execute_on_past": "執行日が過去です (execution date {execute_on} is before today)",
    "seize_settings": "設定・文言 (settings and wording): {source}",
    "seize_plan_next": "→ inquiry seize export --out F で選択シートを出力し、選択して inquiry seize import F で取り込みます",
    "seize_export_title": "差押予定 選択シート出力 (seize export)",
    "seize_export_next": "→ {out}  ({select} 列に ○、{staff}・{execute_on} を記入し inquiry seize import {name} で取り込みます)",
    "seize_import_title": "差押予定 選択の取込 (seize import)",
    "seize_sheet_columns_missing": "{path}: 選択シートの列がありません (missing columns): {columns} — inquiry seize export で出力したシートを使ってください",
    "seize_sheet_mark_unreadable": "{file}:{line}: {column}: {value!r} は読めません: ○ か空欄で記入してください (write ○ or leave blank)",
    "seize_sheet_execute_on_missing": "{file}:{line}: {column} を記入してください (execution date missing)",
    "seize_sheet_execute_on_unreadable": "{file}:{line}: {column} を読めません (cannot read date {value!r})",
    "seize_sheet_staff_missing": "{file}:{line}: {column} を記入してください (staff missing)",
    "seize_sheet_key_empty": "{file}:{line}: 口座キーが空です (empty account key)",
    "seize_sheet_key_twice": "{file}:{lines}: 同じ口座が複数行にあります (account {key} appears twice)",
    "seize_sheet_refused": "選択シートに不備があるため取り込みません (sheet refused, nothing applied):\n  {problems}",
    "seize_sheet_more_problems": "\n  … ほか {count} 件",
    "seize_row_stale": "口座 {account} は候補にないか、シート出力後に候補が作り直されています (stale: run seize export again): not applied",
    "seize_row_unconfirmed": "口座 {account}: PROBABLE のため {column} 列に ○ (本人であることを確認) がなければ選択できません: not planned",
    "seize_row_protected": "口座 {account}: {flag} のため {column} 列に ○ がなければ選択できません: not planned",
    "seize_row_execute_on_past": "口座 {account}: 執行日 {execute_on} が過去です (execution date in the past): not planned",
    "seize_row_paid": "口座 {account}: 候補作成後の納付で完納しています (arrears paid since the plan): not planned",
    "seize_list_title": "預金差押予定一覧 (export seizures)",
    "seize_pulled_relinked": "名寄せ変更 (the account's link no longer names this person as a hit)",
    "seize_pulled_paid": "完納 (arrears paid)",
    "seize_cancel_title": "引抜 (seize cancel)",
    "seize_cancel_no_reason": "--reason に引抜の理由を書いてください (a reason is required)",
    "seize_cancel_unknown": "文書番号 {doc_no} の差押予定はありません (no seizure with this document number)",
    "seize_cancel_already": "文書番号 {doc_no} は引抜済です (already cancelled)",
    "seize_cancelled": "文書番号 {doc_no} を引抜きました (cancelled)",
    "seize_config_unreadable": "{path}: 設定ファイルを読めません (cannot read the seizure settings): {error}",
    "seize_config_missing": "{path}: [{section}] {key} がないか型が違います (missing or not a {kind})",
    "seize_config_unknown_fields": "{path}: [wording] {key} に使えない項目があります (unknown fields): {fields}",
    "seize_config_transfer_fee": "{path}: [transfer_fee] は 金融機関コード = \"文言\" の形です (bank_code = \"text\")",
    "seize_config_doc_no": "{path}: [document_number] format を使えません (bad format): {error}",
    # -- steps: purge (inquiry/steps/purge/) --------------------------------------
    "purge_title": "保存期間経過データの消去 (purge)",
    "purge_certificate_written": "消去記録 (deletion certificate): {path}",
    "purge_cutoffs": (
        "回答受領日が {cutoff} 以前のデータが対象 (data answered on or before {cutoff}, retention {retention_days} days); "
        "{unanswered} 以前に送信し未回答の照会は未回答として終了 (inquiries sent on or before {unanswered} and never answered "
        "are closed as 未回答, {unanswered_days} days after sending)"
    ),
    "purge_no_period": "(なし / none)",
    #: the deletion certificate's text file (reports/purge-<timestamp>.txt); ``counts``: one line a kind
    "purge_certificate": (
        "消去記録 (deletion certificate)\n"
        "================================\n"
        "団体 (municipality):        {municipality}\n"
        "利用目的 (purpose):          {purpose}\n"
        "実施日時 (executed at):      {executed_at}\n"
        "実施者 (operator):           {operator}\n"
        "基準日 (as of):              {as_of}\n"
        "保存期間 (retention):        {retention_days} 日 (days) after the answer\n"
        "消去対象 (answered on or before): {cutoff}\n"
        "未回答として終了 (closed unanswered: sent on or before): {unanswered_cutoff} "
        "({unanswered_days} 日 / days after sending)\n"
        "回答受領日の範囲 (period of the deleted answers): {period}\n"
        "消去件数 (records deleted):\n"
        "{counts}\n"
        "統計として残した集計行 (anonymous statistics rows written): {stats_rows:,}\n"
        "消去レコードIDのSHA-256 (SHA-256 of the deleted records' ids): {ids_sha256}\n"
        "個人情報は上記の件数と統計集計のみを残して消去しました。\n"
        "(personal data deleted; only the counts above and anonymous statistics are kept)\n"
    ),
    # -- steps: exports (inquiry/steps/exports.py) ------------------------------------
    "export_unknown": "export は matches / outcomes / followups のいずれかです: {what!r}",
    "export_title": "出力 (export {what})",
    "export_written": "→ {path}",
    # -- steps: match (inquiry/steps/match.py) ------------------------------------------
    "match_title": "名寄せ (match)",
    "match_nothing_new": "前回の名寄せ以降、新しい回答・対象者はありません (nothing new since the last match: nothing re-linked)",
    # -- steps: review (inquiry/steps/review.py) ----------------------------------------
    "review_accept_needs_person": "accept の後に宛名番号を1つ書いてください (write: accept <person_id>)",
    "review_unknown_decision": "判定は 'accept <宛名番号>' か 'reject' です (unknown decision {text!r})",
    "sheet_suffix": "{path}: {label}は .xlsx か .csv です (sheet must be .xlsx or .csv)",
    "review_sheet_label": "確認シート",
    "review_export_title": "確認シート出力 (review export)",
    "review_export_written": "→ {path}  (判定列に accept <宛名番号> / reject を記入し、inquiry review import {name} で取り込みます)",
    "review_no_file": "{path}: ファイルがありません (no such file)",
    "review_unreadable": "{path}: 確認シートとして読めません (cannot read the sheet): {kind}: {error}",
    "review_missing_columns": (
        "{path}: 確認シートの列がありません (missing columns): {columns} — inquiry review export で出力したシートを使ってください"
    ),
    "review_account_twice": "{where}: 同じ口座が複数行にあります (account {account} appears twice)",
    "review_empty_key": "{where}: 口座キーが空です (empty account key)",
    "review_not_candidate": "{where}: {person} はこの口座の候補者ではありません (not among the candidates {candidates})",
    "review_more_problems": "… ほか {count} 件",
    "review_refused": "確認シートに不備があるため取り込みません (sheet refused, nothing applied):\n  {problems}",
    "review_import_title": "確認結果の取込 (review import)",
    "review_unknown_account": "口座 {account} はこのワークスペースにありません (unknown or purged account): not applied",
    "review_stale_account": (
        "口座 {account} はシート出力後に変更されています (changed since the sheet was exported: already decided or re-linked): not applied"
    ),
    # -- steps: followups (inquiry/steps/followups.py; the reasons are stored, followups.csv shows them) --
    "followups_title": "取引履歴照会 (followups)",
    "followups_period_reversed": "照会期間が逆です (period from {period_from} is after period to {period_to})",
    "followups_by_balance": "残高 {balance}円",
    "followups_by_activity": "最終取引 {day}",
    "followups_accepted": "確認で本人と判断 (accepted on review)",
    "followups_cleared": "納付済のため照会せず (cleared by payment): 納付 {paid}円 ≥ 滞納 {arrears}円",
    "followups_paper": "{reason}; 書面で照会 (institution not reachable through DAIS or pipitLINQ)",
    "followups_written": "取引履歴照会ファイル (history request files) → {outbox}; 期間 {period_from} 〜 {period_to}",
    "followups_paper_note": "[yellow]書面で照会する口座 (paper history inquiries, status QUEUED): {count}[/yellow]",
    # -- steps: history (inquiry/steps/history.py; stored as a follow-up's regular_income) --
    "history_no_transactions": "期間内の取引なし (no transactions in the period)",
    "history_no_regular_income": "定期的な入金なし (no regular income found)",
}

#: count key (what the audit trail records) → how the summary table names it
COUNT_LABELS: dict[str, str] = {
    # -- steps: prepare, ingest, link ----------------------------------------------------
    "master_rows_read": "rows_read (master)",
    "already_asked_same_as_of": "already_asked (same as-of)",
    "files_skipped_already_ingested": "files_skipped (already ingested)",
    "files_skipped_not_basic": "files_skipped (not basic)",
    # -- steps: seize (inquiry/steps/seize/) --------------------------------------
    "not_planned_closed": "not planned: 解約済/支払停止",
    "not_planned_small": "not planned: balance below the floor",
    "not_planned_cleared": "not planned: arrears paid (完納)",
    "not_planned_planned": "not planned: already planned (live)",
    "not_planned_covered": "not planned: arrears covered by live plans",
    "candidates_unconfirmed": "candidates 要本人確認 (PROBABLE)",
    "candidates_protected": "candidates 差押禁止額の確認",
    "candidates_stale": "candidates 回答が古い",
    "pulled_paid": "pulled (引抜: 完納)",
    "pulled_relinked": "pulled (引抜: 名寄せ変更)",
    "reduced_paid": "reduced (納付あり)",
    "flagged_protected": "flagged 差押禁止額の確認",
    # -- steps: match ---------------------------------------------------------------
    "links_updated_same_decision": "links_updated (same decision)",
    # a re-link's transitions (``HOMONYM_to_CONFIRMED``), and to another person of the same class
    **{f"{a}_to_{b}": f"{a}→{b}" for a in CLASSES for b in CLASSES if a != b},
    **{f"{c}_to_{c}_other_person": f"{c}→{c} (別人 other person)" for c in CLASSES},
    # -- steps: review --------------------------------------------------------------
    "undecided_blank": "undecided (blank)",
    "stale_refused": "stale (refused)",
    # -- steps: followups -------------------------------------------------------------
    "skipped_cleared": "skipped_cleared (納付済)",
    "cleared_shown_before": "cleared (shown before)",
    "waiting_to_be_sent": "waiting to be sent (QUEUED/WRITTEN)",
    "sent_within_repeat_days": "sent within repeat days",
    "not_followed_closed": "not followed: 解約済/支払停止",
    "not_followed_small_inactive": "not followed: small balance, inactive",
    "queued_paper": "queued_paper (書面照会)",
}
