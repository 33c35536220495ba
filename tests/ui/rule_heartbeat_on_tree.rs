use supervisor::prelude::*;

#[supervised]
async fn worker(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Pool {
    worker: worker,
}

#[derive(Supervisor)]
struct App {
    #[child(heartbeat = "10s")]
    pool: Pool,
}

fn main() {}
