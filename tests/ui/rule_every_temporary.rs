use supervisor::prelude::*;

#[supervised(role = "job", restart = "temporary", every = "5m")]
async fn report() -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {}
