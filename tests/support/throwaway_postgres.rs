//! A PostgreSQL cluster of the test's own, on a free port, that the test may restart: never
//! the shared one. Made with `initdb` in a temporary folder (run as the `postgres` user when
//! the tests run as root, as `scripts/lib/services.sh` does), with the role and database
//! `portail` the service expects.

use std::path::PathBuf;
use std::process::{Command, Output};

pub struct ThrowawayPostgres {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

/// The newest installed PostgreSQL's programs (`PG_BIN` if set).
fn pg_bin() -> PathBuf {
    if let Ok(bin) = std::env::var("PG_BIN") {
        return PathBuf::from(bin);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed by scripts/test")
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    found.sort();
    found
        .pop()
        .expect("a PostgreSQL under /usr/lib/postgresql")
        .1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl ThrowawayPostgres {
    /// Creates the cluster, starts it and returns once it takes connections.
    pub fn start() -> Self {
        let dir =
            std::env::temp_dir().join(format!("portail-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let pg = Self {
            port: super::throwaway_redis::free_port(),
            dir,
            bin: pg_bin(),
        };
        if is_root() {
            let chown = Command::new("chown")
                .args(["postgres:postgres", pg.dir.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(chown.success());
        }
        pg.run(
            "initdb",
            &[
                "-D",
                pg.data().to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=off -c shared_buffers=16MB",
            pg.port,
            pg.dir.display()
        );
        pg.pg_ctl(&["start", "-o", &options]);
        pg.psql("CREATE ROLE portail LOGIN");
        pg.psql("CREATE DATABASE portail OWNER portail");
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Runs one of PostgreSQL's programs (as `postgres` when we are root); panics with its
    /// output if it fails.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let output = self.command(program).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// One of PostgreSQL's programs, as `postgres` when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        // An outside service: under libfaketime it keeps the machine's time.
        command.current_dir(&self.dir).env_remove("LD_PRELOAD");
        command
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.data();
        let log = self.dir.join("server.log");
        let mut all = vec![
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-t",
            "30",
        ];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    fn psql(&self, statement: &str) {
        let port = self.port.to_string();
        let output = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-qc", statement])
            .env_remove("LD_PRELOAD")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The service's URL on this cluster.
    pub fn url(&self) -> String {
        format!("postgres://portail@127.0.0.1:{}/portail", self.port)
    }

    /// `pg_ctl restart -m fast`: every session is ended (those in a transaction roll back),
    /// the server stops and starts again on the same port; returns once it takes connections.
    pub fn restart(&self) {
        self.pg_ctl(&["-m", "fast", "restart"]);
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
