// Requests allocate and free many small objects; mimalloc serves them faster than glibc's
// malloc and gives large freed blocks back to the system by itself.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    portail::cli::main()
}
