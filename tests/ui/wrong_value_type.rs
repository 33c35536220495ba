use supervisor::prelude::*;

#[supervised(significant = "yes", id = api, restart_limit(max = -1, within = "1m"))]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
