use supervisor::prelude::*;

trait Service {
    #[supervised(role = "service")]
    async fn api(ctx: ChildContext) {
        ctx.cancelled().await
    }
}

fn main() {}
