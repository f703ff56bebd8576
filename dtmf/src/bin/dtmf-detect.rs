//! `dtmf-detect FILE.wav`: prints the DTMF keys heard in a WAV file (its channels averaged), in order, on one
//! line. The end-to-end tests decode what a page played back with it (tests/e2e).

use std::process::ExitCode;

const USAGE: &str =
    "usage: dtmf-detect FILE.wav   (prints the DTMF keys heard in the file, in order)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if path == "-h" || path == "--help" {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("dtmf-detect: cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let wav = match dtmf::wav::decode(&bytes) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("dtmf-detect: {path} is not a WAV file this tool reads: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    let keys: String = dtmf::detect_all(&wav.mono(), wav.sample_rate)
        .iter()
        .map(|d| d.key.to_char())
        .collect();
    println!("{keys}");
    ExitCode::SUCCESS
}
