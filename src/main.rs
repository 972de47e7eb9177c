fn main() -> std::process::ExitCode {
    sentui::main()
}
