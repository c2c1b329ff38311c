"""Schema of the store, as an ordered list of migrations.

Each entry upgrades the store by one version; ``meta.schema_version`` says
how far a store has come. Never edit a released migration: append one.
Dates are ISO text (``YYYY-MM-DD``), money integer yen, lists are joined
with ``;`` (names) or ``|`` (addresses), as in the master.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

#: the shared concepts as views (migration 7; made again by 8, which rebuilds a table they read)
_VIEWS = """
    -- a link as it stands: a reviewer's decision over the matcher's (accept → CONFIRMED for the
    -- decided person, reject → UNMATCHED with nobody); the matcher's own in linked_*
    CREATE VIEW effective_matches AS
    SELECT account_key, inquiry_id, inquired_person_id,
           CASE WHEN decision = 'accept' THEN decided_person_id WHEN decision = 'reject' THEN NULL ELSE person_id END AS person_id,
           CASE WHEN decision = 'accept' THEN 'CONFIRMED' WHEN decision = 'reject' THEN 'UNMATCHED' ELSE class END AS class,
           person_id AS linked_person_id, class AS linked_class, score, name_evidence, dob_evidence, address_evidence,
           candidates, reason, matched_at, decision, decided_person_id, decided_by, decided_at
    FROM matches;

    -- an account's first answer: the first found row recorded (earlier ingests first, then file
    -- and line order within one), the one its bank data is shown from
    CREATE VIEW first_answers AS
    SELECT a.rowid AS answer_row, a.* FROM answers a
    WHERE a.rowid IN (SELECT min(rowid) FROM answers WHERE answer = 'found' GROUP BY account_key);

    -- an account's latest answer: the newest balance date, then the newest answer day, then the
    -- last recorded (what a follow-up and a seizure act on). Shaped to be read fast: the window
    -- ranks only the narrow columns it orders by, and the winning rows are fetched by rowid
    -- (a year's store: 3.0 s CPU, below the 3.5 s of the polars sort `followups` used before)
    CREATE VIEW latest_answers AS
    SELECT a.rowid AS answer_row, a.* FROM answers a
    WHERE a.rowid IN (
        SELECT answer_row FROM (
            SELECT rowid AS answer_row,
                   row_number() OVER (PARTITION BY account_key ORDER BY balance_date DESC, answered_on DESC, rowid DESC) AS newest
            FROM answers WHERE answer = 'found'
        ) WHERE newest = 1
    );

    -- a basic inquiry's outcome (outcomes.csv): HIT when an account it returned is linked as a hit
    -- to the person it asked about (one account, one owner), ACCOUNTS when it returned accounts
    -- but none of them is that person's, else UNABLE / NO_ACCOUNT as answered, PENDING unanswered
    CREATE VIEW inquiry_outcomes AS
    WITH found AS (SELECT DISTINCT inquiry_id, account_key, balance_yen FROM answers WHERE answer = 'found'),
    per_inquiry AS (
        SELECT f.inquiry_id, count(DISTINCT f.account_key) AS accounts,
               sum(CASE WHEN e.class IN ('CONFIRMED', 'PROBABLE') AND e.person_id = i.person_id THEN 1 ELSE 0 END) AS hits,
               sum(CASE WHEN e.class IN ('CONFIRMED', 'PROBABLE') AND e.person_id = i.person_id THEN f.balance_yen END) AS hit_balance_yen
        FROM found f JOIN inquiries i ON i.inquiry_id = f.inquiry_id LEFT JOIN effective_matches e ON e.account_key = f.account_key
        GROUP BY f.inquiry_id
    )
    SELECT i.inquiry_id, i.person_id, i.provider, i.bank_code, i.sent_on, i.answered_on,
           CASE WHEN i.answer IS NULL THEN 'PENDING' WHEN coalesce(p.hits, 0) > 0 THEN 'HIT'
                WHEN coalesce(p.accounts, 0) > 0 THEN 'ACCOUNTS' WHEN i.answer = 'unable' THEN 'UNABLE'
                ELSE 'NO_ACCOUNT' END AS answer,
           coalesce(p.accounts, 0) AS accounts, coalesce(p.hits, 0) AS hits, coalesce(p.hit_balance_yen, 0) AS hit_balance_yen,
           i.answer AS raw_answer
    FROM inquiries i LEFT JOIN per_inquiry p ON p.inquiry_id = i.inquiry_id;
"""

#: migration 9: ``inquiry_outcomes`` shaped to be read in parts (issue #10, session 5). The same rows as
#: migration 7's (tests/inquiry/test_views.py compares the two), but each column of an inquiry is computed
#: from its own answers (``answers_inquiry``) - the outcome by probes that stop at the first row that
#: decides it, the counts by correlated subqueries - instead of a GROUP BY over every found answer joined
#: back: a filter on ``inquiry_id`` goes straight to the inquiries' key, so a range of inquiries costs its
#: share (a year's 930,851 inquiries: half in half the time), and a column a read leaves out is not
#: computed (the report's read: 2.1 s of SQL instead of 2.7 s; the whole export: 3.4 s instead of 3.2 s, in
#: two halves side by side). Only inquiries whose answer is ``found`` are probed: ``ingest`` records
#: ``found`` for an inquiry as soon as any found row of it is stored and never takes it back
#: (inquiry/steps/ingest.py); every other inquiry has no found answer, so 0 accounts and 0 hits.
_OUTCOMES_VIEW_9 = """
    CREATE VIEW inquiry_outcomes AS
    SELECT i.inquiry_id, i.person_id, i.provider, i.bank_code, i.sent_on, i.answered_on,
           -- HIT: an account it returned is linked as a hit to the person it asked about; ACCOUNTS: it returned
           -- accounts, none of them that person's (each a probe that stops at the first such row)
           CASE WHEN i.answer IS NULL THEN 'PENDING'
                WHEN i.answer = 'found' AND EXISTS (
                    SELECT 1 FROM answers a JOIN effective_matches e ON e.account_key = a.account_key
                    WHERE a.inquiry_id = i.inquiry_id AND a.answer = 'found' AND e.class IN ('CONFIRMED', 'PROBABLE') AND e.person_id = i.person_id
                ) THEN 'HIT'
                WHEN i.answer = 'found' AND EXISTS (
                    SELECT 1 FROM answers a WHERE a.inquiry_id = i.inquiry_id AND a.answer = 'found' AND a.account_key IS NOT NULL
                ) THEN 'ACCOUNTS'
                WHEN i.answer = 'unable' THEN 'UNABLE' ELSE 'NO_ACCOUNT' END AS answer,
           CASE WHEN i.answer = 'found' THEN (
               SELECT count(DISTINCT a.account_key) FROM answers a WHERE a.inquiry_id = i.inquiry_id AND a.answer = 'found'
           ) ELSE 0 END AS accounts,
           -- each distinct (account, balance) of its found answers that is a hit, once
           CASE WHEN i.answer = 'found' THEN (
               SELECT count(*) FROM (
                   SELECT DISTINCT a.account_key, a.balance_yen FROM answers a JOIN effective_matches e ON e.account_key = a.account_key
                   WHERE a.inquiry_id = i.inquiry_id AND a.answer = 'found' AND e.class IN ('CONFIRMED', 'PROBABLE') AND e.person_id = i.person_id)
           ) ELSE 0 END AS hits,
           CASE WHEN i.answer = 'found' THEN coalesce((
               SELECT sum(balance_yen) FROM (
                   SELECT DISTINCT a.account_key, a.balance_yen FROM answers a JOIN effective_matches e ON e.account_key = a.account_key
                   WHERE a.inquiry_id = i.inquiry_id AND a.answer = 'found' AND e.class IN ('CONFIRMED', 'PROBABLE') AND e.person_id = i.person_id)
           ), 0) ELSE 0 END AS hit_balance_yen,
           i.answer AS raw_answer
    FROM inquiries i;
"""

#: migration 9: ``latest_answers`` shaped so that a filter on ``account_key`` reaches the answers' index
#: (issue #10, session 5). The same rows as migration 7's for every account (tests/inquiry/test_views.py
#: compares the two): the newest balance date, then the newest answer day, then the last recorded. Each
#: found row is kept when it is the first of its account's found rows in that order (a probe of
#: ``answers_account``), instead of a window over every found row of the store: ``followups`` reads the
#: latest answers of its 82 k hit accounts of a year in 0.4 s of SQL instead of 1.2 s. A found row
#: without an account key (none is stored: ``ingest`` keys every found row) is no account's answer.
_LATEST_VIEW_9 = """
    CREATE VIEW latest_answers AS
    SELECT a.rowid AS answer_row, a.* FROM answers a
    WHERE a.answer = 'found' AND a.account_key IS NOT NULL AND a.rowid = (
        SELECT b.rowid FROM answers b WHERE b.account_key = a.account_key AND b.answer = 'found'
        ORDER BY b.balance_date DESC, b.answered_on DESC, b.rowid DESC LIMIT 1
    );
"""

#: migration 11: ``first_answers`` chosen from the accounts' index alone (issue #10, session 6). The same rows
#: as migration 7's (tests/inquiry/test_views.py compares the two): an answer row has an account key exactly
#: when it is ``found`` (``ingest`` keys every found row and no other, inquiry/steps/ingest.py), so an
#: account's first found row is its keyed row of the smallest rowid, which ``answers_account`` (the keyed rows
#: only, by key and rowid) gives without reading the table: a year's 304 k first answers chosen in 0.09 s of
#: CPU instead of 0.35 s (a GROUP BY over every answer row read from the table), and the pages of the answers
#: that are not chosen are never read (``export matches``, the report).
_FIRST_VIEW_11 = """
    CREATE VIEW first_answers AS
    SELECT a.rowid AS answer_row, a.* FROM answers a
    WHERE a.rowid IN (SELECT min(rowid) FROM answers WHERE account_key IS NOT NULL GROUP BY account_key);
"""

#: migration 12: ``latest_answers`` one seek per answer row, however often an account was answered (issue #10,
#: session 8). The view (migration 9's, unchanged) keeps a found row when it is the first of its account's
#: rows by balance date, answer day and row, newest first. With ``answers_account`` by key alone, SQLite
#: read all k rows of the account and sorted them for each of its k rows: k² per account. A stranger's
#: account comes back once for every same-name person inquired at its bank, so k grows with the office:
#: Σk² was 1.3 M at 52,668 persons, 1.41 billion at 1,000,000 (an account answered 652 times), and
#: ``followups`` took 725 s there. Ordered by what the view orders by (and by rowid, which every index
#: entry ends with), the index gives an account's newest row as its last entry: one seek, no sort. Every
#: other read of the index looks up a key or a range of keys, which the wider index serves as before;
#: ``first_answers`` (migration 11) reads it covering, as before.
#: the answers' account index as migration 12 shapes it (made again by 13, which rebuilds the table)
_ANSWERS_ACCOUNT_INDEX = """
    CREATE INDEX answers_account ON answers (account_key, balance_date, answered_on) WHERE account_key IS NOT NULL;
"""
_ANSWERS_ACCOUNT_12 = "DROP INDEX answers_account;" + _ANSWERS_ACCOUNT_INDEX

#: migration 13: answer and transaction rows name their file by an integer (issue #10, session 8). ``response_files``
#: gets an explicit ``file_id INTEGER PRIMARY KEY`` (not the implicit rowid, which a VACUUM may renumber; the files
#: stored so far numbered in the order they were taken: ``ingested_at``, then rowid), its ``sha256`` stays UNIQUE
#: NOT NULL (a file is taken once by its SHA-256); ``answers`` (1.2 M rows a year) and ``transactions`` (1.6 M) are
#: rebuilt with ``file_id`` in place of the 64-character ``response_sha``: same rowids, the other columns in the
#: same order with the same NOT NULLs, the same indexes (``answers_account`` as migration 12 made it). What names a
#: row to people - ingest's "already answered by file:line", the purge certificate's ``<SHA-256>:<line>``, a
#: seizure's source file - joins ``response_files``. A row whose SHA no ``response_files`` row has (no command
#: writes one: ingest records a file and its rows in one savepoint, no command deletes a file's row; a store
#: edited by hand may have one) is kept: its SHA is recorded as a file of its own. The views that read ``answers`` are dropped first
#: and made again last with their current text (``effective_matches`` reads ``matches`` only and stays).
_FILE_ID_13 = (
    """
    DROP VIEW inquiry_outcomes;
    DROP VIEW latest_answers;
    DROP VIEW first_answers;

    CREATE TABLE response_files_rebuilt (
        file_id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        file_name TEXT NOT NULL,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        ingested_at TEXT NOT NULL
    );
    INSERT INTO response_files_rebuilt (file_id, sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at)
    SELECT row_number() OVER (ORDER BY ingested_at, rowid), sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected,
        ingested_at FROM response_files ORDER BY ingested_at, rowid;
    -- a SHA that rows name but no response_files row has (none that a command wrote) keeps its rows: recorded as a
    -- file named by its SHA, of no service or kind (what match counts as taken, kind 'basic', is unchanged), after
    -- the files above
    INSERT INTO response_files_rebuilt (file_id, sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at)
    SELECT (SELECT COALESCE(max(file_id), 0) FROM response_files_rebuilt) + row_number() OVER (ORDER BY sha), sha, sha, '', '', n, n, 0, ''
    FROM (SELECT sha, count(*) AS n FROM (SELECT response_sha AS sha FROM answers UNION ALL SELECT response_sha FROM transactions) GROUP BY sha)
    WHERE sha NOT IN (SELECT sha256 FROM response_files_rebuilt) ORDER BY sha;
    DROP TABLE response_files;
    ALTER TABLE response_files_rebuilt RENAME TO response_files;

    CREATE TABLE answers_rebuilt (
        file_id INTEGER NOT NULL,
        line INTEGER NOT NULL,
        inquiry_id TEXT NOT NULL,
        answer TEXT NOT NULL,
        detail_no INTEGER,
        account_key TEXT,
        bank_code TEXT,
        bank_name TEXT,
        branch_code TEXT,
        branch_name TEXT,
        account_type INTEGER,
        account_number TEXT,
        passbook_symbol TEXT,
        passbook_number TEXT,
        holder_kana TEXT,
        holder_birth_date TEXT,
        holder_address TEXT,
        balance_yen INTEGER,
        balance_date TEXT,
        opened_on TEXT,
        last_activity TEXT,
        account_status TEXT,
        unable_reason TEXT,
        answered_on TEXT NOT NULL
    );
    INSERT INTO answers_rebuilt (rowid, file_id, line, inquiry_id, answer, detail_no, account_key, bank_code,
        bank_name, branch_code, branch_name, account_type, account_number, passbook_symbol, passbook_number,
        holder_kana, holder_birth_date, holder_address, balance_yen, balance_date, opened_on, last_activity,
        account_status, unable_reason, answered_on)
    SELECT a.rowid, (SELECT r.file_id FROM response_files r WHERE r.sha256 = a.response_sha), a.line, a.inquiry_id, a.answer,
        a.detail_no, a.account_key, a.bank_code, a.bank_name, a.branch_code, a.branch_name, a.account_type, a.account_number,
        a.passbook_symbol, a.passbook_number, a.holder_kana, a.holder_birth_date, a.holder_address, a.balance_yen, a.balance_date,
        a.opened_on, a.last_activity, a.account_status, a.unable_reason, a.answered_on FROM answers a ORDER BY a.rowid;
    DROP TABLE answers;
    ALTER TABLE answers_rebuilt RENAME TO answers;
    CREATE INDEX answers_inquiry ON answers (inquiry_id);

    CREATE TABLE transactions_rebuilt (
        followup_id TEXT NOT NULL,
        file_id INTEGER NOT NULL,
        line INTEGER NOT NULL,
        detail_no INTEGER,
        tx_date TEXT,
        description TEXT,
        withdrawal_yen INTEGER,
        deposit_yen INTEGER,
        balance_yen INTEGER
    );
    INSERT INTO transactions_rebuilt (rowid, followup_id, file_id, line, detail_no, tx_date, description,
        withdrawal_yen, deposit_yen, balance_yen)
    SELECT t.rowid, t.followup_id, (SELECT r.file_id FROM response_files r WHERE r.sha256 = t.response_sha), t.line, t.detail_no,
        t.tx_date, t.description, t.withdrawal_yen, t.deposit_yen, t.balance_yen FROM transactions t ORDER BY t.rowid;
    DROP TABLE transactions;
    ALTER TABLE transactions_rebuilt RENAME TO transactions;
    CREATE INDEX transactions_followup ON transactions (followup_id);
    """
    + _ANSWERS_ACCOUNT_INDEX
    + _FIRST_VIEW_11
    + _LATEST_VIEW_9
    + _OUTCOMES_VIEW_9
)

#: migration 14: ``latest_answers`` read from the accounts' index alone until its row is chosen (issue #10, session 8).
#: The same rows as migration 9's (tests/inquiry/test_views.py compares them with migration 7's): an answer row has
#: an account key exactly when it is ``found`` (``ingest`` keys every found row and no other, as ``first_answers``
#: of migration 11 relies on), so the view's tests of ``answer = 'found'`` say nothing the key does not. But each
#: read the row from the table - for every answer of the account and for the subquery's newest - where the index
#: ``answers_account`` (key, balance date, answer day, rowid; keyed rows only) holds all the choice needs. Without
#: them an account's k rows are k entries of the index and k covering seeks, and only the chosen row is read from
#: the table. At 1,000,000 persons ``followups`` reads the latest answers of 1,574,341 hit accounts, whose answers
#: are many (a common name's account is answered once for each namesake inquired at its bank): 90.8 s with the
#: table reads, 23.1 s without.
_LATEST_VIEW_14 = """
    DROP VIEW latest_answers;
    CREATE VIEW latest_answers AS
    SELECT a.rowid AS answer_row, a.* FROM answers a
    WHERE a.account_key IS NOT NULL AND a.rowid = (
        SELECT b.rowid FROM answers b WHERE b.account_key = a.account_key
        ORDER BY b.balance_date DESC, b.answered_on DESC, b.rowid DESC LIMIT 1
    );
"""

MIGRATIONS: list[str] = [
    # 1: the whole inquiry cycle
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE persons (
        person_id TEXT PRIMARY KEY,
        name_kanji TEXT NOT NULL,
        name_kana TEXT,
        kana_estimated INTEGER NOT NULL DEFAULT 0,
        kana_candidates TEXT,
        other_names_kana TEXT,
        birth_date TEXT,
        sex INTEGER NOT NULL DEFAULT 0,
        postal_code TEXT,
        address TEXT,
        address_history TEXT,
        arrears_yen INTEGER NOT NULL DEFAULT 0,
        fiscal_class TEXT,
        staff_code TEXT,
        target_banks TEXT,
        as_of TEXT,
        cleared_on TEXT,
        updated_at TEXT NOT NULL
    );

    CREATE TABLE institutions (
        bank_code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        provider TEXT NOT NULL CHECK (provider IN ('dais', 'pipitlinq', 'paper')),
        default_target INTEGER NOT NULL DEFAULT 0,
        requires_address INTEGER NOT NULL DEFAULT 0,
        bank_type TEXT
    );

    CREATE TABLE request_files (
        file_name TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        rows INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );

    CREATE TABLE inquiries (
        inquiry_id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        bank_code TEXT NOT NULL,
        as_of TEXT NOT NULL,
        request_file TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_on TEXT,
        answered_on TEXT,
        answer TEXT
    );
    CREATE INDEX inquiries_person ON inquiries (person_id, bank_code);

    CREATE TABLE response_files (
        sha256 TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        ingested_at TEXT NOT NULL
    );

    CREATE TABLE answers (
        response_sha TEXT NOT NULL,
        line INTEGER NOT NULL,
        inquiry_id TEXT NOT NULL,
        answer TEXT NOT NULL,
        detail_no INTEGER,
        account_key TEXT,
        bank_code TEXT,
        bank_name TEXT,
        branch_code TEXT,
        branch_name TEXT,
        account_type INTEGER,
        account_number TEXT,
        passbook_symbol TEXT,
        passbook_number TEXT,
        holder_kana TEXT,
        holder_birth_date TEXT,
        holder_address TEXT,
        balance_yen INTEGER,
        balance_date TEXT,
        opened_on TEXT,
        last_activity TEXT,
        account_status TEXT,
        unable_reason TEXT,
        answered_on TEXT NOT NULL,
        PRIMARY KEY (response_sha, line)
    );
    CREATE INDEX answers_account ON answers (account_key);
    CREATE INDEX answers_inquiry ON answers (inquiry_id);

    CREATE TABLE matches (
        account_key TEXT PRIMARY KEY,
        inquiry_id TEXT NOT NULL,
        inquired_person_id TEXT,
        person_id TEXT,
        class TEXT NOT NULL,
        score REAL NOT NULL,
        name_evidence TEXT NOT NULL,
        dob_evidence TEXT NOT NULL,
        address_evidence TEXT NOT NULL,
        candidates TEXT,
        reason TEXT,
        matched_at TEXT NOT NULL,
        decision TEXT,
        decided_person_id TEXT,
        decided_by TEXT,
        decided_at TEXT
    );

    CREATE TABLE followups (
        followup_id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        account_key TEXT NOT NULL,
        provider TEXT NOT NULL,
        origin_inquiry_id TEXT NOT NULL,
        reason TEXT,
        priority INTEGER,
        period_from TEXT,
        period_to TEXT,
        status TEXT NOT NULL,
        request_file TEXT,
        created_at TEXT NOT NULL,
        sent_on TEXT,
        answered_on TEXT,
        transactions INTEGER,
        regular_income TEXT
    );
    CREATE INDEX followups_account ON followups (account_key);

    CREATE TABLE transactions (
        followup_id TEXT NOT NULL,
        response_sha TEXT NOT NULL,
        line INTEGER NOT NULL,
        detail_no INTEGER,
        tx_date TEXT,
        description TEXT,
        withdrawal_yen INTEGER,
        deposit_yen INTEGER,
        balance_yen INTEGER,
        PRIMARY KEY (response_sha, line)
    );

    CREATE TABLE payments (
        person_id TEXT NOT NULL,
        paid_on TEXT NOT NULL,
        amount_yen INTEGER NOT NULL,
        source_sha TEXT NOT NULL,
        line INTEGER NOT NULL,
        PRIMARY KEY (source_sha, line)
    );

    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        command TEXT NOT NULL,
        options TEXT NOT NULL,
        counts TEXT NOT NULL,
        files TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );

    CREATE TABLE stats (
        day TEXT NOT NULL,
        provider TEXT NOT NULL,
        bank_code TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, provider, bank_code, kind, value)
    );
    """,
    # 2: what a history answer told (inquiry/history.py), and follow-up look-ups by account/status
    """
    ALTER TABLE followups ADD COLUMN summary TEXT;
    ALTER TABLE followups ADD COLUMN summarised_tx INTEGER;
    CREATE INDEX transactions_followup ON transactions (followup_id);
    CREATE INDEX followups_status ON followups (status);
    """,
    # 3: `sent` and `purge` find inquiries and follow-ups by their request file
    """
    CREATE INDEX inquiries_request_file ON inquiries (request_file);
    CREATE INDEX followups_request_file ON followups (request_file);
    """,
    # 4: the seizure plan (inquiry/seize.py). Candidates and PROBABLE confirmations hang on their
    # match (ON DELETE CASCADE: purged with it); planned seizures are the office's case file and
    # keep only what the notice needs; 文書番号 come from one counter per fiscal year.
    """
    CREATE TABLE seizure_candidates (
        account_key TEXT PRIMARY KEY REFERENCES matches (account_key) ON DELETE CASCADE,
        candidate_no INTEGER NOT NULL,
        person_id TEXT NOT NULL,
        class TEXT NOT NULL,
        priority INTEGER NOT NULL,
        balance_yen INTEGER,
        answered_on TEXT,
        execute_on TEXT,
        flags TEXT,
        protected INTEGER NOT NULL DEFAULT 0,
        planned_at TEXT NOT NULL
    );

    CREATE TABLE seizure_confirmations (
        account_key TEXT PRIMARY KEY REFERENCES matches (account_key) ON DELETE CASCADE,
        person_id TEXT NOT NULL,
        confirmed_by TEXT NOT NULL,
        confirmed_at TEXT NOT NULL,
        staff TEXT
    );

    CREATE TABLE seizure_counters (
        fiscal_year INTEGER PRIMARY KEY,
        last_number INTEGER NOT NULL
    );

    CREATE TABLE seizures (
        doc_no TEXT PRIMARY KEY,
        fiscal_year INTEGER NOT NULL,
        doc_number INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('PLANNED', 'CANCELLED')),
        account_key TEXT NOT NULL,
        person_id TEXT NOT NULL,
        class TEXT NOT NULL,
        balance_yen INTEGER,
        answered_on TEXT,
        registered_at TEXT NOT NULL,
        selected_by TEXT NOT NULL,
        staff TEXT,
        execute_on TEXT NOT NULL,
        confirmed_by TEXT,
        confirmed_at TEXT,
        override_by TEXT,
        override_at TEXT,
        name TEXT,
        resident_address TEXT,
        bank_address TEXT,
        bank_code TEXT,
        bank_name TEXT,
        branch_name TEXT,
        branch_code TEXT,
        account_type_label TEXT,
        account_number TEXT,
        wording1 TEXT,
        wording2 TEXT,
        wording3 TEXT,
        source_file TEXT,
        flag1 TEXT,
        flag2 TEXT,
        flag3 TEXT,
        cancelled_by TEXT,
        cancelled_at TEXT,
        cancel_reason TEXT,
        UNIQUE (fiscal_year, doc_number)
    );
    CREATE UNIQUE INDEX seizures_live_account ON seizures (account_key) WHERE status = 'PLANNED';
    CREATE INDEX seizures_person ON seizures (person_id, status);
    """,
    # 5: the audit trail is keyed (inquiry/audit.py): each entry says how its hash was made;
    #    entries written before are the unkeyed 'sha256' ones
    """
    ALTER TABLE audit ADD COLUMN scheme TEXT NOT NULL DEFAULT 'sha256';
    """,
    # 6: the evidence link() weighed for each candidate person of an account, best first (rank 0),
    # as `inquiry match` last decided it; shown as it is by the review sheet and the report, and
    # purged with the account's link (personal data: the account key holds the account number)
    """
    CREATE TABLE match_evidence (
        account_key TEXT NOT NULL,
        rank INTEGER NOT NULL,
        person_id TEXT NOT NULL,
        class TEXT NOT NULL,
        score REAL NOT NULL,
        name_evidence TEXT NOT NULL,
        dob_evidence TEXT NOT NULL,
        address_evidence TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (account_key, rank)
    );
    """,
    # 7: the concepts every command reads, defined once as views (a view is SQL text, inlined by
    # SQLite's planner: no copy, no cost until read). Their literals are the vocabulary's
    # (inquiry/vocabulary.py: HIT_CLASSES); tests/inquiry/test_views.py checks they agree.
    _VIEWS,
    # 8: cheaper bulk writes (issue #10): each index of the hot tables is one that a read needs.
    # answers and transactions lose their (response_sha, line) key - a 64-character SHA in a second
    # copy of every row, that no read looks up (a file is taken once: response_files.sha256 is the
    # key; ingest finds a file's rows by rowid); rebuilt with the same rowids (review and purge use
    # them). An account's answers are looked up by a key, never by NULL: the index holds the found
    # rows only. inquiries (person_id, bank_code) is read by no query.
    # The views of 7 read answers: they are dropped first and made again last (the same text, _VIEWS).
    """
    DROP VIEW inquiry_outcomes;
    DROP VIEW latest_answers;
    DROP VIEW first_answers;
    DROP VIEW effective_matches;

    CREATE TABLE answers_rebuilt (
        response_sha TEXT NOT NULL,
        line INTEGER NOT NULL,
        inquiry_id TEXT NOT NULL,
        answer TEXT NOT NULL,
        detail_no INTEGER,
        account_key TEXT,
        bank_code TEXT,
        bank_name TEXT,
        branch_code TEXT,
        branch_name TEXT,
        account_type INTEGER,
        account_number TEXT,
        passbook_symbol TEXT,
        passbook_number TEXT,
        holder_kana TEXT,
        holder_birth_date TEXT,
        holder_address TEXT,
        balance_yen INTEGER,
        balance_date TEXT,
        opened_on TEXT,
        last_activity TEXT,
        account_status TEXT,
        unable_reason TEXT,
        answered_on TEXT NOT NULL
    );
    INSERT INTO answers_rebuilt (rowid, response_sha, line, inquiry_id, answer, detail_no, account_key, bank_code,
        bank_name, branch_code, branch_name, account_type, account_number, passbook_symbol, passbook_number,
        holder_kana, holder_birth_date, holder_address, balance_yen, balance_date, opened_on, last_activity,
        account_status, unable_reason, answered_on)
    SELECT rowid, response_sha, line, inquiry_id, answer, detail_no, account_key, bank_code,
        bank_name, branch_code, branch_name, account_type, account_number, passbook_symbol, passbook_number,
        holder_kana, holder_birth_date, holder_address, balance_yen, balance_date, opened_on, last_activity,
        account_status, unable_reason, answered_on FROM answers ORDER BY rowid;
    DROP TABLE answers;
    ALTER TABLE answers_rebuilt RENAME TO answers;
    CREATE INDEX answers_account ON answers (account_key) WHERE account_key IS NOT NULL;
    CREATE INDEX answers_inquiry ON answers (inquiry_id);

    CREATE TABLE transactions_rebuilt (
        followup_id TEXT NOT NULL,
        response_sha TEXT NOT NULL,
        line INTEGER NOT NULL,
        detail_no INTEGER,
        tx_date TEXT,
        description TEXT,
        withdrawal_yen INTEGER,
        deposit_yen INTEGER,
        balance_yen INTEGER
    );
    INSERT INTO transactions_rebuilt (rowid, followup_id, response_sha, line, detail_no, tx_date, description,
        withdrawal_yen, deposit_yen, balance_yen)
    SELECT rowid, followup_id, response_sha, line, detail_no, tx_date, description,
        withdrawal_yen, deposit_yen, balance_yen FROM transactions ORDER BY rowid;
    DROP TABLE transactions;
    ALTER TABLE transactions_rebuilt RENAME TO transactions;
    CREATE INDEX transactions_followup ON transactions (followup_id);

    DROP INDEX inquiries_person;
    """
    + _VIEWS,
    # 9: the views inquiry_outcomes and latest_answers read in parts (issue #10, session 5; see _OUTCOMES_VIEW_9
    # and _LATEST_VIEW_9)
    "DROP VIEW inquiry_outcomes; DROP VIEW latest_answers;" + _OUTCOMES_VIEW_9 + _LATEST_VIEW_9,
    # 10: match_evidence narrower (issue #10, session 6): an account's evidence list holds, at one rank, the
    # very evidence its matches row shows (the person it names, class, score, evidence words, reason) - a
    # year: 304,269 of 352,174 rows. That row is no longer stored twice: matches.evidence_rank says at which
    # rank it stands (NULL: none, or stored before), match_evidence_rest holds the other rows, and
    # match_evidence is a view giving the same rows as the table did (a join, not a UNION: a filter or a
    # join on account_key still reaches the indexes). Rows inserted into or deleted from the view go to
    # the table and to evidence_rank (triggers); the evidence stored so far is kept as it is, in the table
    # (migration 6's, renamed).
    # Which row is the link's own: inquiry/steps/match.py, _with_evidence_rank (the view's first side, here).
    """
    ALTER TABLE matches ADD COLUMN evidence_rank INTEGER;
    -- the table of migration 6 keeps its rows, rowids and key under its new name: nothing copied
    ALTER TABLE match_evidence RENAME TO match_evidence_rest;

    -- each link's row twice (s.value 1: its own evidence, when evidence_rank says where; 0: with each row
    -- of match_evidence_rest): two sides of one join instead of a UNION ALL, which SQLite would compute
    -- whole before any join (the report's REVIEW evidence: 0.43 s instead of 0.06 s)
    CREATE VIEW match_evidence AS
    SELECT m.account_key,
           CASE WHEN s.value THEN m.evidence_rank ELSE x.rank END AS rank,
           CASE WHEN s.value THEN coalesce(m.person_id, m.candidates) ELSE x.person_id END AS person_id,
           CASE WHEN s.value THEN m.class ELSE x.class END AS class,
           CASE WHEN s.value THEN m.score ELSE x.score END AS score,
           CASE WHEN s.value THEN m.name_evidence ELSE x.name_evidence END AS name_evidence,
           CASE WHEN s.value THEN m.dob_evidence ELSE x.dob_evidence END AS dob_evidence,
           CASE WHEN s.value THEN m.address_evidence ELSE x.address_evidence END AS address_evidence,
           CASE WHEN s.value THEN m.reason ELSE x.reason END AS reason
    FROM matches m JOIN json_each('[1, 0]') s
    LEFT JOIN match_evidence_rest x ON s.value = 0 AND x.account_key = m.account_key
    WHERE CASE WHEN s.value THEN m.evidence_rank IS NOT NULL ELSE x.account_key IS NOT NULL END;

    CREATE TRIGGER match_evidence_insert INSTEAD OF INSERT ON match_evidence BEGIN
        INSERT INTO match_evidence_rest (account_key, rank, person_id, class, score, name_evidence, dob_evidence, address_evidence, reason)
        VALUES (NEW.account_key, NEW.rank, NEW.person_id, NEW.class, NEW.score, NEW.name_evidence, NEW.dob_evidence,
                NEW.address_evidence, NEW.reason);
    END;
    CREATE TRIGGER match_evidence_delete INSTEAD OF DELETE ON match_evidence BEGIN
        DELETE FROM match_evidence_rest WHERE account_key = OLD.account_key AND rank = OLD.rank;
        UPDATE matches SET evidence_rank = NULL WHERE account_key = OLD.account_key AND evidence_rank = OLD.rank;
    END;
    """,
    # 11: first_answers read from the accounts' index alone (issue #10, session 6; see _FIRST_VIEW_11)
    "DROP VIEW first_answers;" + _FIRST_VIEW_11,
    # 12: answers_account ordered as latest_answers chooses (issue #10, session 8; see _ANSWERS_ACCOUNT_12)
    _ANSWERS_ACCOUNT_12,
    # 13: answers and transactions name their file by response_files.file_id (issue #10, session 8; see _FILE_ID_13)
    _FILE_ID_13,
    # 14: latest_answers without the table's reads until its row is chosen (issue #10, session 8; see _LATEST_VIEW_14)
    _LATEST_VIEW_14,
]
