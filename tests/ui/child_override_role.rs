use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    #[child(role = "service")]
    api: api,
}

fn main() {}
