fn main() -> std::process::ExitCode {
    portail::cli::main()
}
