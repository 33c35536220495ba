use supervisor::prelude::*;

#[supervised(role = "job", restart = "permanent")]
async fn migrate() -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {}
