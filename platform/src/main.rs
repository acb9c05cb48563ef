/// mimalloc rather than glibc's malloc: why, and its settings, in `portail::allocator`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    portail::allocator::purge_at_once();
    portail::cli::main()
}
