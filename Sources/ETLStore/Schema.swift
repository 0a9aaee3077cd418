/// The state store's schema, as numbered migrations applied in order.
enum Schema {
    /// Each entry moves the schema from version `index` to `index + 1`.
    static let migrations: [String] = [
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            pipeline TEXT NOT NULL,
            pipeline_sha256 TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            message TEXT
        );
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            pipeline TEXT NOT NULL,
            name TEXT NOT NULL,
            current_run_id INTEGER REFERENCES runs(id),
            UNIQUE (pipeline, name)
        );
        CREATE TABLE run_sources (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id INTEGER NOT NULL REFERENCES sources(id),
            status TEXT NOT NULL,
            files INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            staged INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            message TEXT,
            PRIMARY KEY (run_id, source_id)
        );
        CREATE TABLE source_files (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id INTEGER NOT NULL REFERENCES sources(id),
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            encoding TEXT NOT NULL,
            read INTEGER NOT NULL,
            staged INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            payload_fields TEXT NOT NULL
        );
        -- No REFERENCES here, unlike the small tables: a foreign-key check can abort an insert
        -- midway, which makes SQLite keep a statement journal for every multi-row INSERT (measured:
        -- 3.5 GB of journal writes per million rows). The store's own code keeps these ids right.
        CREATE TABLE staged_records (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL,
            run_id INTEGER NOT NULL,
            record_key TEXT NOT NULL,
            file_id INTEGER NOT NULL,
            line INTEGER NOT NULL,
            record_index INTEGER NOT NULL,
            byte_offset INTEGER,
            name TEXT,
            id_number TEXT,
            sex TEXT,
            birth_date TEXT,
            phone TEXT,
            address TEXT,
            sex_code TEXT,
            birth_date_iso TEXT,
            payload TEXT NOT NULL
        );
        CREATE UNIQUE INDEX staged_records_key ON staged_records (source_id, run_id, record_key);
        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id INTEGER NOT NULL REFERENCES sources(id),
            file_id INTEGER NOT NULL REFERENCES source_files(id),
            line INTEGER NOT NULL,
            record_index INTEGER NOT NULL,
            byte_offset INTEGER,
            category TEXT NOT NULL,
            reason TEXT NOT NULL,
            raw TEXT NOT NULL
        );
        CREATE INDEX rejects_run ON rejects (run_id, source_id);
        """,
        // Resolution: residents with their unified record, which resident each staged record
        // belongs to, what happened to residents in each run, and each run's match model.
        """
        CREATE TABLE residents (
            id INTEGER PRIMARY KEY,
            pipeline TEXT NOT NULL,
            status TEXT NOT NULL,
            created_run INTEGER NOT NULL REFERENCES runs(id),
            updated_run INTEGER NOT NULL REFERENCES runs(id),
            ended_run INTEGER REFERENCES runs(id),
            merged_into INTEGER REFERENCES residents(id),
            records INTEGER NOT NULL,
            name TEXT,
            id_number TEXT,
            sex TEXT,
            birth_date TEXT,
            phone TEXT,
            address TEXT,
            provenance TEXT NOT NULL
        );
        CREATE INDEX residents_pipeline ON residents (pipeline, status);
        CREATE TABLE links (
            source_id INTEGER NOT NULL,
            record_key TEXT NOT NULL,
            resident INTEGER NOT NULL,
            PRIMARY KEY (source_id, record_key)
        ) WITHOUT ROWID;
        CREATE INDEX links_resident ON links (resident);
        CREATE TABLE resident_events (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            pipeline TEXT NOT NULL,
            kind TEXT NOT NULL,
            resident INTEGER NOT NULL REFERENCES residents(id),
            other INTEGER REFERENCES residents(id),
            records INTEGER NOT NULL
        );
        CREATE INDEX resident_events_resident ON resident_events (resident);
        CREATE INDEX resident_events_run ON resident_events (run_id);
        CREATE TABLE match_models (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id),
            pipeline TEXT NOT NULL,
            model TEXT NOT NULL,
            statistics TEXT NOT NULL
        );
        """,
        // Publishing: the region code of each resident's unified address, so that addresses can
        // be generalised to district, city or province without reading them again.
        """
        ALTER TABLE residents ADD COLUMN region TEXT;
        """,
        // Deletions and publishing in the run history: the records a new export no longer
        // has (soft deletes, by run), and what each run published.
        """
        ALTER TABLE run_sources ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE deleted_records (
            run_id INTEGER NOT NULL,
            source_id INTEGER NOT NULL,
            record_key TEXT NOT NULL,
            PRIMARY KEY (source_id, record_key, run_id)
        ) WITHOUT ROWID;
        CREATE TABLE run_datasets (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            dataset TEXT NOT NULL,
            status TEXT NOT NULL,
            version TEXT,
            rows INTEGER NOT NULL,
            suppressed INTEGER NOT NULL,
            message TEXT,
            PRIMARY KEY (run_id, dataset)
        );
        """,
        // Who was shown personal data (etl explain --reveal), and when.
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL
        );
        """,
        // Review: pairs in the uncertain band, and reviewers' decisions, which bind every
        // later run (etl gc never removes them).
        """
        CREATE TABLE review_pairs (
            id INTEGER PRIMARY KEY,
            pipeline TEXT NOT NULL,
            source_a TEXT NOT NULL,
            key_a TEXT NOT NULL,
            source_b TEXT NOT NULL,
            key_b TEXT NOT NULL,
            weight REAL NOT NULL,
            run_id INTEGER NOT NULL,
            UNIQUE (pipeline, source_a, key_a, source_b, key_b)
        );
        CREATE TABLE review_decisions (
            pipeline TEXT NOT NULL,
            source_a TEXT NOT NULL,
            key_a TEXT NOT NULL,
            source_b TEXT NOT NULL,
            key_b TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('same', 'different')),
            who TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (pipeline, source_a, key_a, source_b, key_b)
        );
        """,
        // Which runs' records each resolution read: (source, current run) pairs. A run may
        // skip resolving only when the current records are still the ones the last
        // resolution read; a run killed after committing a source but before resolving
        // leaves them different.
        """
        ALTER TABLE match_models ADD COLUMN inputs TEXT;
        """,
        // What of the pipeline file import and resolution depend on, hashed apart from the
        // rest: editing only the publish section (or a description) then imports and resolves
        // nothing again.
        """
        ALTER TABLE runs ADD COLUMN input_sha256 TEXT;
        """,
        // Per staged record, a hash of the values resolution reads (ETLCore's RecordContent);
        // per link, the hash the record had when last resolved and the run since which it has
        // had it. A night tells the records that changed from those re-exported as they were,
        // and writes nothing for residents none of whose records changed.
        """
        ALTER TABLE staged_records ADD COLUMN content INTEGER;
        ALTER TABLE links ADD COLUMN content INTEGER;
        ALTER TABLE links ADD COLUMN since_run INTEGER;
        """,
        // A rejected record's key, when it could be read: the record the source had under
        // that key is kept rather than deleted for missing from the export.
        """
        ALTER TABLE rejects ADD COLUMN record_key TEXT;
        """,
        // Per source and run, the earlier records kept because their new rows were rejected,
        // and the missing records kept because a rejected record's key could not be read.
        """
        ALTER TABLE run_sources ADD COLUMN kept INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE run_sources ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0;
        """,
    ]

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }

    /// Brings `database` up to `currentVersion`, one migration per transaction.
    static func migrate(_ database: Database) throws(StoreError) {
        let version = Int(try database.scalar("PRAGMA user_version")?.int64 ?? 0)
        guard version <= currentVersion else {
            throw .schemaTooNew(path: database.path, version: version, supported: currentVersion)
        }
        for next in version..<currentVersion {
            try database.inStoreTransaction { () throws(StoreError) in
                try database.execute(migrations[next])
                try database.execute("PRAGMA user_version = \(next + 1)")
            }
        }
    }
}
