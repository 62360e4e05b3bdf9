//! Files of new leads, as `liner leads import` reads them.

/// A CSV of `rows` new leads, each with its own `orderCode`
/// (`<prefix>-<n>`) and phone, spread over `orders` orders (ids from 200).
pub fn csv(rows: usize, prefix: &str, orders: usize) -> String {
    let mut text = String::from("leadType,phone,orderId,orderCode,name\n");
    for n in 0..rows {
        text.push_str(&format!(
            "straight,+7900{:07},{},{prefix}-{n},Client {n}\n",
            1_000_000 + n,
            200 + n % orders.max(1)
        ));
    }
    text
}
