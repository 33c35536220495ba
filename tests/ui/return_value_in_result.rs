use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) -> Result<u16, std::io::Error> {
    ctx.cancelled().await;
    Ok(8080)
}

fn main() {}
