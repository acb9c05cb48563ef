use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The family file parents keep up to date (guide, section 3). Medical fields live on
        // the child; the audit log records who read or changed them, never their values.
        manager
            .get_connection()
            .execute_unprepared(
                r#"
                ALTER TABLE guardians
                    ADD COLUMN civility            text NOT NULL DEFAULT '',
                    ADD COLUMN birth_date          date,
                    ADD COLUMN work_phone          text NOT NULL DEFAULT '',
                    ADD COLUMN profession          text NOT NULL DEFAULT '',
                    ADD COLUMN employer            text NOT NULL DEFAULT '',
                    ADD COLUMN relation            text NOT NULL DEFAULT '',
                    ADD COLUMN parental_authority  boolean NOT NULL DEFAULT true;

                ALTER TABLE children
                    ADD COLUMN doctor_name    text NOT NULL DEFAULT '',
                    ADD COLUMN doctor_phone   text NOT NULL DEFAULT '',
                    ADD COLUMN allergies      text NOT NULL DEFAULT '',
                    ADD COLUMN pai            boolean NOT NULL DEFAULT false,
                    ADD COLUMN medical_notes  text NOT NULL DEFAULT '',
                    ADD COLUMN validated_at   timestamptz;

                CREATE TABLE contacts (
                    id          uuid PRIMARY KEY,
                    child_id    uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    name        text NOT NULL,
                    relation    text NOT NULL DEFAULT '',
                    phone       text NOT NULL,
                    phone2      text NOT NULL DEFAULT '',
                    pickup      boolean NOT NULL DEFAULT false,
                    emergency   boolean NOT NULL DEFAULT false,
                    created_at  timestamptz NOT NULL DEFAULT now(),
                    CHECK (pickup OR emergency)
                );
                CREATE INDEX contacts_child_idx ON contacts (child_id);

                CREATE TABLE authorizations (
                    child_id    uuid NOT NULL REFERENCES children (id) ON DELETE CASCADE,
                    code        text NOT NULL,
                    granted     boolean NOT NULL,
                    decided_at  timestamptz NOT NULL,
                    PRIMARY KEY (child_id, code)
                );

                CREATE TABLE insurances (
                    id            uuid PRIMARY KEY,
                    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    child_id      uuid REFERENCES children (id) ON DELETE CASCADE,
                    company       text NOT NULL,
                    number        text NOT NULL,
                    valid_from    date NOT NULL,
                    valid_to      date NOT NULL CHECK (valid_to >= valid_from)
                );
                CREATE INDEX insurances_household_idx ON insurances (household_id);

                -- Decided by staff (e.g. "Parent isolé"); parents read them only.
                CREATE TABLE criteria (
                    id            uuid PRIMARY KEY,
                    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    child_id      uuid REFERENCES children (id) ON DELETE CASCADE,
                    label         text NOT NULL,
                    decided_at    date NOT NULL
                );
                CREATE INDEX criteria_household_idx ON criteria (household_id);

                CREATE TABLE consents (
                    guardian_id  uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
                    code         text NOT NULL,
                    granted      boolean NOT NULL,
                    decided_at   timestamptz NOT NULL,
                    PRIMARY KEY (guardian_id, code)
                );

                -- Files parents send: kept in the tenant schema with the rest of its data.
                CREATE TABLE documents (
                    id             uuid PRIMARY KEY,
                    household_id   uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
                    child_id       uuid REFERENCES children (id) ON DELETE CASCADE,
                    name           text NOT NULL,
                    description    text NOT NULL DEFAULT '',
                    content_type   text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
                    size           integer NOT NULL,
                    storage_name   text NOT NULL,
                    data           bytea NOT NULL,
                    uploaded_by    uuid REFERENCES guardians (id) ON DELETE SET NULL,
                    created_at     timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX documents_household_idx ON documents (household_id);

                CREATE TABLE audit_log (
                    id            bigserial PRIMARY KEY,
                    at            timestamptz NOT NULL DEFAULT now(),
                    actor         text NOT NULL,
                    action        text NOT NULL,
                    entity        text NOT NULL,
                    entity_id     text NOT NULL,
                    fields        text[] NOT NULL DEFAULT '{}',
                    household_id  uuid,
                    origin        text NOT NULL DEFAULT ''
                );
                CREATE INDEX audit_log_at_idx ON audit_log (at);
                "#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE audit_log, documents, consents, criteria, insurances, authorizations, contacts;
                 ALTER TABLE children DROP COLUMN doctor_name, DROP COLUMN doctor_phone, DROP COLUMN allergies,
                   DROP COLUMN pai, DROP COLUMN medical_notes, DROP COLUMN validated_at;
                 ALTER TABLE guardians DROP COLUMN civility, DROP COLUMN birth_date, DROP COLUMN work_phone,
                   DROP COLUMN profession, DROP COLUMN employer, DROP COLUMN relation, DROP COLUMN parental_authority",
            )
            .await?;
        Ok(())
    }
}
