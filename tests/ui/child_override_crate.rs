use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    #[child(crate = "supervisor")]
    api: api,
}

fn main() {}
