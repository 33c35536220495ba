use supervisor::prelude::*;

struct Server;

impl Server {
    #[supervised(role = "service")]
    async fn api(ctx: ChildContext) {
        ctx.cancelled().await
    }
}

fn main() {
    let _ = Server::api;
}
