export { Button } from "./components/Button";
export type { ButtonProps } from "./components/Button";
