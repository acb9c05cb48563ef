// The pages allocate many short-lived strings from both worker threads; mimalloc's per-thread
// heaps serve them without the arena locks and consolidation of glibc's malloc (a fifth of
// the server's time under load in a profile of the booking grid).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    portail::cli::main()
}
