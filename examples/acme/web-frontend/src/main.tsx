import React from "react";
import ReactDOM from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Button } from "@acme/design-system";

const queryClient = new QueryClient();

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <QueryClientProvider client={queryClient}>
      <Button onClick={() => alert("hi")}>Acme</Button>
    </QueryClientProvider>
  </React.StrictMode>,
);
